package io.sim2real.contracts.protobuf;

import static io.sim2real.contracts.protobuf.Packing.*;

import java.io.IOException;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.protobuf.generated.Sim2RealV2;
import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * TransitionBatch in schema version 2. Exact: every consumer uses these doubles as doubles (model standardisation,
 * episode returns, the counterfactual pairing's simulator state), so each numeric field goes as float32 only when all
 * its values are float32 already, and as float64 otherwise.
 */
public final class TransitionBatchV2 implements ProtobufCodec<TransitionBatch> {

    @Override
    public byte[] encode(TransitionBatch m) {
        startEncoding();
        Sim2RealV2.TransitionBatch.Builder b = Sim2RealV2.TransitionBatch.newBuilder()
                .setSchemaVersion(SchemaVersion.PROTOBUF)
                .setDomain(domain(m.domain()))
                .setPolicyVersion(m.policyVersion());
        if (m.runId() != null) {
            b.setRunId(m.runId());
        }
        if (m.envId() != null) {
            b.setEnvId(m.envId());
        }
        if (m.episodeIds() != null) {
            Sim2RealV2.Longs.Builder ids = Sim2RealV2.Longs.newBuilder();
            for (long id : m.episodeIds()) {
                ids.addValues(id);
            }
            b.setEpisodeIds(ids);
        }
        if (m.stepIndices() != null) {
            Sim2RealV2.Ints.Builder steps = Sim2RealV2.Ints.newBuilder();
            for (int s : m.stepIndices()) {
                steps.addValues(s);
            }
            b.setStepIndices(steps);
        }
        int obsDim = width("obs", m.obs(), m.nextObs());
        int actDim = width("act", m.act());
        b.setObsDim(obsDim).setActDim(actDim);
        if (m.obs() != null) {
            b.setObs(matrix(m.obs(), obsDim, Precision.EXACT, "obs"));
        }
        if (m.act() != null) {
            b.setAct(matrix(m.act(), actDim, Precision.EXACT, "act"));
        }
        if (m.rew() != null) {
            b.setRew(vector(m.rew(), Precision.EXACT, "rew"));
        }
        if (m.nextObs() != null) {
            b.setNextObs(matrix(m.nextObs(), obsDim, Precision.EXACT, "nextObs"));
        }
        if (m.done() != null) {
            b.setDone(flags(m.done()));
        }
        if (m.truncated() != null) {
            b.setTruncated(flags(m.truncated()));
        }
        return b.build().toByteArray();
    }

    @Override
    public TransitionBatch parse(byte[] bytes) throws InvalidRecordException {
        Sim2RealV2.TransitionBatch p;
        try {
            p = Sim2RealV2.TransitionBatch.parseFrom(input(bytes));
        } catch (IOException e) {
            throw malformed("TransitionBatch", e);
        }
        schemaVersion(p.hasSchemaVersion(), p.getSchemaVersion());
        required(p.hasPolicyVersion(), "policyVersion");
        boolean matrices = p.hasObs() || p.hasAct() || p.hasNextObs();
        if (matrices) {
            required(p.hasObsDim(), "obsDim");
            required(p.hasActDim(), "actDim");
        }
        long[] episodeIds = null;
        if (p.hasEpisodeIds()) {
            episodeIds = new long[p.getEpisodeIds().getValuesCount()];
            for (int i = 0; i < episodeIds.length; i++) {
                episodeIds[i] = p.getEpisodeIds().getValues(i);
            }
        }
        int[] stepIndices = null;
        if (p.hasStepIndices()) {
            stepIndices = new int[p.getStepIndices().getValuesCount()];
            for (int i = 0; i < stepIndices.length; i++) {
                stepIndices[i] = p.getStepIndices().getValues(i);
            }
        }
        return new TransitionBatch(p.getSchemaVersion(),
                p.hasRunId() ? p.getRunId() : null,
                domain(p.getDomain(), "domain"),
                p.hasEnvId() ? p.getEnvId() : null,
                p.getPolicyVersion(),
                episodeIds,
                stepIndices,
                p.hasObs() ? matrix(p.getObs(), p.getObsDim(), "obs", "obsDim") : null,
                p.hasAct() ? matrix(p.getAct(), p.getActDim(), "act", "actDim") : null,
                p.hasRew() ? vector(p.getRew(), "rew") : null,
                p.hasNextObs() ? matrix(p.getNextObs(), p.getObsDim(), "nextObs", "obsDim") : null,
                p.hasDone() ? flags(p.getDone()) : null,
                p.hasTruncated() ? flags(p.getTruncated()) : null);
    }
}
