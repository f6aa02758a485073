package io.sim2real.training.model;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.methods.LockstepSchedule;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.latent.Transitions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One model round of a lockstep run's {@link LockstepSchedule}, once for model-service and the in-process runner: round
 * r covers the first b_r transitions of the counted domain and, for a run on sim and a real dataset, the whole dataset;
 * its rollouts act with the policy at b_r and carry {@code coversEnvStep} b_r and the round's row count. Its inputs are
 * fixed when it starts ({@link #train}), so it may train on any thread.
 *
 * @param round       r (1-based)
 * @param covers      b_r: the counted transitions it covers
 * @param counted     the domain the schedule counts (RunSettings.lockstepDomain)
 * @param datasetRows the real dataset's transitions it also covers (0: none)
 */
public record ScheduledRound(long round, long covers, Domain counted, long datasetRows) {

    /** What a round made: its report and its stamped rollouts (none for a method without them). */
    public record Made(RoundReport report, List<RolloutBatch> rollouts) {
    }

    /** The round after {@code roundsDone} rounds. */
    public static ScheduledRound next(LockstepSchedule schedule, Domain counted, long roundsDone) {
        long round = roundsDone + 1;
        return new ScheduledRound(round, schedule.roundCovers(round), counted, schedule.datasetRows());
    }

    /** Whether its data is held: b_r counted transitions and the whole dataset. */
    public boolean ready(long countedHeld, long realHeld) {
        return countedHeld >= covers && realHeld >= datasetRows;
    }

    /** Its data, from the transitions held of the counted domain and of the dataset, each in arrival order. */
    public RoundData data(Transitions countedHeld, Transitions realHeld) {
        Transitions first = first(countedHeld, covers);
        if (datasetRows > 0) {
            return new RoundData(first, first(realHeld, datasetRows));
        }
        return counted == Domain.SIM ? new RoundData(first, RoundData.none()) : new RoundData(RoundData.none(), first);
    }

    /**
     * Trains the round on {@code data} and makes its rollouts with {@code policy} (random actions without one), each
     * {@code length} steps, in batches of at most {@code batchSize}.
     */
    public Made train(ModelRounds rounds, RoundData data, RunSettings settings, Optional<ActorRunner> policy, int length,
                      int batchSize) {
        RoundReport report = rounds.train(round, data, settings);
        if (!settings.traits().rollsOut()) {
            return new Made(report, List.of());
        }
        List<RolloutBatch> made = new ArrayList<>();
        rounds.rollouts(round, data, settings, policy, length, batchSize, made::add);
        long rows = made.stream().mapToLong(RolloutBatch::size).sum();
        List<RolloutBatch> stamped = new ArrayList<>(made.size());
        for (RolloutBatch b : made) {
            stamped.add(new RolloutBatch(b.schemaVersion(), b.runId(), b.modelVersion(), b.round(), b.latent(),
                    b.startDomain(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), covers, rows));
        }
        return new Made(report, stamped);
    }

    private static Transitions first(Transitions t, long n) {
        if (t.size() < n) {
            throw new IllegalStateException("a lockstep round needs the first " + n + " transitions, " + t.size() + " held");
        }
        int k = Math.toIntExact(n);
        return k == t.size() ? t : new Transitions(Arrays.copyOf(t.obs(), k), Arrays.copyOf(t.act(), k),
                Arrays.copyOf(t.rew(), k), Arrays.copyOf(t.nextObs(), k));
    }
}
