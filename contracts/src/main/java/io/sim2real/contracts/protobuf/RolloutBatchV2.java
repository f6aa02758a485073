package io.sim2real.contracts.protobuf;

import static io.sim2real.contracts.protobuf.Packing.*;

import java.io.IOException;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.protobuf.generated.Sim2RealV2;
import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * RolloutBatch in schema version 2, {@link Precision#EXACT} by default: the values of JSON v1 (a float64 pipeline's
 * next observations and rewards are not float32s, its actions are). {@link Precision#FLOAT32} rounds every number to
 * float32, half the bytes again: rollouts have one consumer, the SAC learner, which reads every value as
 * {@code (float)} (nn's Sac.load), and rounding a double to float32 and widening it back changes nothing that cast
 * sees, {@code (float) (double) (float) x == (float) x}; so the learner's updates are the same bit for bit (test:
 * V2CodecsTest). It is a producer's choice ({@code MessageSerializer}), not the default, because the rows on the topic
 * then differ from an in-process run's below float32's precision.
 */
public final class RolloutBatchV2 implements ProtobufCodec<RolloutBatch> {

    private final Precision precision;

    public RolloutBatchV2(Precision precision) {
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    @Override
    public byte[] encode(RolloutBatch m) {
        startEncoding();
        Sim2RealV2.RolloutBatch.Builder b = Sim2RealV2.RolloutBatch.newBuilder()
                .setSchemaVersion(SchemaVersion.PROTOBUF)
                .setModelVersion(m.modelVersion())
                .setRound(m.round())
                .setLatent(m.latent())
                .setStartDomain(domain(m.startDomain()));
        if (m.runId() != null) {
            b.setRunId(m.runId());
        }
        int obsDim = width("obs", m.obs(), m.nextObs());
        int actDim = width("act", m.act());
        b.setObsDim(obsDim).setActDim(actDim);
        if (m.obs() != null) {
            b.setObs(matrix(m.obs(), obsDim, precision, "obs"));
        }
        if (m.act() != null) {
            b.setAct(matrix(m.act(), actDim, precision, "act"));
        }
        if (m.rew() != null) {
            b.setRew(vector(m.rew(), precision, "rew"));
        }
        if (m.nextObs() != null) {
            b.setNextObs(matrix(m.nextObs(), obsDim, precision, "nextObs"));
        }
        if (m.done() != null) {
            b.setDone(flags(m.done()));
        }
        if (m.coversEnvStep() != null) {
            b.setCoversEnvStep(m.coversEnvStep());
        }
        if (m.roundRows() != null) {
            b.setRoundRows(m.roundRows());
        }
        return b.build().toByteArray();
    }

    @Override
    public RolloutBatch parse(byte[] bytes) throws InvalidRecordException {
        Sim2RealV2.RolloutBatch p;
        try {
            p = Sim2RealV2.RolloutBatch.parseFrom(input(bytes));
        } catch (IOException e) {
            throw malformed("RolloutBatch", e);
        }
        schemaVersion(p.hasSchemaVersion(), p.getSchemaVersion());
        required(p.hasModelVersion(), "modelVersion");
        required(p.hasRound(), "round");
        required(p.hasLatent(), "latent");
        if (p.hasObs() || p.hasAct() || p.hasNextObs()) {
            required(p.hasObsDim(), "obsDim");
            required(p.hasActDim(), "actDim");
        }
        return new RolloutBatch(p.getSchemaVersion(),
                p.hasRunId() ? p.getRunId() : null,
                p.getModelVersion(),
                p.getRound(),
                p.getLatent(),
                domain(p.getStartDomain(), "startDomain"),
                p.hasObs() ? matrix(p.getObs(), p.getObsDim(), "obs", "obsDim") : null,
                p.hasAct() ? matrix(p.getAct(), p.getActDim(), "act", "actDim") : null,
                p.hasRew() ? vector(p.getRew(), "rew") : null,
                p.hasNextObs() ? matrix(p.getNextObs(), p.getObsDim(), "nextObs", "obsDim") : null,
                p.hasDone() ? flags(p.getDone()) : null,
                p.hasCoversEnvStep() ? p.getCoversEnvStep() : null,
                p.hasRoundRows() ? p.getRoundRows() : null);
    }
}
