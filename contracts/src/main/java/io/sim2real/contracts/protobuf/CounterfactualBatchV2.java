package io.sim2real.contracts.protobuf;

import static io.sim2real.contracts.protobuf.Packing.*;

import java.io.IOException;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.protobuf.generated.Sim2RealV2;
import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * CounterfactualBatch in schema version 2. Exact, as TransitionBatch: the calibration and drift measures use the
 * pairs as doubles (differences of nearby simulator states).
 */
public final class CounterfactualBatchV2 implements ProtobufCodec<CounterfactualBatch> {

    @Override
    public byte[] encode(CounterfactualBatch m) {
        startEncoding();
        Sim2RealV2.CounterfactualBatch.Builder b = Sim2RealV2.CounterfactualBatch.newBuilder()
                .setSchemaVersion(SchemaVersion.PROTOBUF)
                .setSourcePartition(m.sourcePartition())
                .setSourceOffset(m.sourceOffset())
                .setSkipped(m.skipped());
        if (m.runId() != null) {
            b.setRunId(m.runId());
        }
        if (m.envId() != null) {
            b.setEnvId(m.envId());
        }
        int obsDim = width("obs", m.obs(), m.realNextObs(), m.simNextObs());
        int actDim = width("act", m.act());
        b.setObsDim(obsDim).setActDim(actDim);
        if (m.obs() != null) {
            b.setObs(matrix(m.obs(), obsDim, Precision.EXACT, "obs"));
        }
        if (m.act() != null) {
            b.setAct(matrix(m.act(), actDim, Precision.EXACT, "act"));
        }
        if (m.realNextObs() != null) {
            b.setRealNextObs(matrix(m.realNextObs(), obsDim, Precision.EXACT, "realNextObs"));
        }
        if (m.simNextObs() != null) {
            b.setSimNextObs(matrix(m.simNextObs(), obsDim, Precision.EXACT, "simNextObs"));
        }
        return b.build().toByteArray();
    }

    @Override
    public CounterfactualBatch parse(byte[] bytes) throws InvalidRecordException {
        Sim2RealV2.CounterfactualBatch p;
        try {
            p = Sim2RealV2.CounterfactualBatch.parseFrom(input(bytes));
        } catch (IOException e) {
            throw malformed("CounterfactualBatch", e);
        }
        schemaVersion(p.hasSchemaVersion(), p.getSchemaVersion());
        required(p.hasSourcePartition(), "sourcePartition");
        required(p.hasSourceOffset(), "sourceOffset");
        required(p.hasSkipped(), "skipped");
        if (p.hasObs() || p.hasAct() || p.hasRealNextObs() || p.hasSimNextObs()) {
            required(p.hasObsDim(), "obsDim");
            required(p.hasActDim(), "actDim");
        }
        return new CounterfactualBatch(p.getSchemaVersion(),
                p.hasRunId() ? p.getRunId() : null,
                p.hasEnvId() ? p.getEnvId() : null,
                p.getSourcePartition(),
                p.getSourceOffset(),
                p.hasObs() ? matrix(p.getObs(), p.getObsDim(), "obs", "obsDim") : null,
                p.hasAct() ? matrix(p.getAct(), p.getActDim(), "act", "actDim") : null,
                p.hasRealNextObs() ? matrix(p.getRealNextObs(), p.getObsDim(), "realNextObs", "obsDim") : null,
                p.hasSimNextObs() ? matrix(p.getSimNextObs(), p.getObsDim(), "simNextObs", "obsDim") : null,
                p.getSkipped());
    }
}
