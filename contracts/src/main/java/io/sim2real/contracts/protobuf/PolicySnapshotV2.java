package io.sim2real.contracts.protobuf;

import static io.sim2real.contracts.protobuf.Packing.*;

import com.google.protobuf.ByteString;
import java.io.IOException;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.protobuf.generated.Sim2RealV2;
import io.sim2real.contracts.validation.InvalidRecordException;

/** PolicySnapshot in schema version 2: the weights as raw bytes instead of base64, everything else as in JSON. */
public final class PolicySnapshotV2 implements ProtobufCodec<PolicySnapshot> {

    @Override
    public byte[] encode(PolicySnapshot m) {
        Sim2RealV2.PolicySnapshot.Builder b = Sim2RealV2.PolicySnapshot.newBuilder()
                .setSchemaVersion(SchemaVersion.PROTOBUF)
                .setVersion(m.version())
                .setEnvStep(m.envStep())
                .setObsDim(m.obsDim())
                .setActDim(m.actDim());
        if (m.runId() != null) {
            b.setRunId(m.runId());
        }
        if (m.architecture() != null) {
            b.setArchitecture(m.architecture());
        }
        if (m.weights() != null) {
            b.setWeights(ByteString.copyFrom(m.weights()));
        }
        if (m.sha256() != null) {
            b.setSha256(m.sha256());
        }
        if (m.checkpointUri() != null) {
            b.setCheckpointUri(m.checkpointUri());
        }
        return b.build().toByteArray();
    }

    @Override
    public PolicySnapshot parse(byte[] bytes) throws InvalidRecordException {
        Sim2RealV2.PolicySnapshot p;
        try {
            p = Sim2RealV2.PolicySnapshot.parseFrom(input(bytes));
        } catch (IOException e) {
            throw malformed("PolicySnapshot", e);
        }
        schemaVersion(p.hasSchemaVersion(), p.getSchemaVersion());
        required(p.hasVersion(), "version");
        required(p.hasEnvStep(), "envStep");
        required(p.hasObsDim(), "obsDim");
        required(p.hasActDim(), "actDim");
        return new PolicySnapshot(p.getSchemaVersion(),
                p.hasRunId() ? p.getRunId() : null,
                p.getVersion(),
                p.getEnvStep(),
                p.hasArchitecture() ? p.getArchitecture() : null,
                p.getObsDim(),
                p.getActDim(),
                p.hasWeights() ? p.getWeights().toByteArray() : null,
                p.hasSha256() ? p.getSha256() : null,
                p.hasCheckpointUri() ? p.getCheckpointUri() : null);
    }
}
