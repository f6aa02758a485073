package io.sim2real.training.model;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.RolloutModel;
import io.sim2real.nn.Rollouts;
import io.sim2real.nn.latent.Transitions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A run's model and its rounds, once for model-service and the command line's in-process runner: MBPO's dynamics
 * ensemble ({@link EnsembleRounds}) or the latent sim-to-real model ({@link LatentRounds}), chosen by the run's method
 * ({@link MethodTraits#model()}). A round trains on the {@link RoundData} it is given with the run's settings at that
 * moment; then, for methods that train a policy, its branched rollouts go to a sink. When a round is due is
 * {@link RoundRule}'s; where data comes from, where rollouts go, checkpoints and metrics are the caller's.
 *
 * <p>Random streams come from the run's seed only ({@link RunSeeds}), never its id: the ensemble's from
 * {@code ENSEMBLE}, the latent model's networks from {@code LATENT} (index 0) and round r's joint training and
 * measures from {@code LATENT} (index r), round r's rollouts (start states, actions, sampled predictions, in that
 * order per domain, sim before real) from {@code ROLLOUTS} (index r). Rounds are numbered from 1; round r makes model
 * version r. Start states are drawn uniformly with replacement from the round's data. Not thread-safe: one round at a
 * time.
 */
public abstract sealed class ModelRounds permits EnsembleRounds, LatentRounds {

    protected final EnvSpec spec;
    protected final ModelNetworks networks;
    protected final RunSeeds seeds;

    ModelRounds(EnvSpec spec, ModelNetworks networks, RunSeeds seeds) {
        this.spec = spec;
        this.networks = networks;
        this.seeds = seeds;
    }

    /** The model side of a run, by its method; empty for a method without a model (SAC). */
    public static Optional<ModelRounds> of(RunSettings settings, ModelNetworks networks, EnvSpec spec) {
        return of(settings, networks, spec, true);
    }

    /**
     * As {@link #of(RunSettings, ModelNetworks, EnvSpec)}; with {@code sampledLatentRollouts = false} the latent
     * model's rollouts step with a random elite's mean instead of a sampled prediction (an experiment of the command
     * line; the services sample, as MBPO does).
     */
    public static Optional<ModelRounds> of(RunSettings settings, ModelNetworks networks, EnvSpec spec,
                                           boolean sampledLatentRollouts) {
        return switch (settings.traits().model()) {
            case NONE -> Optional.empty();
            case ENSEMBLE -> Optional.of(new EnsembleRounds(spec, networks, settings.seeds()));
            case LATENT -> Optional.of(new LatentRounds(spec, networks, settings.seeds(), settings.method(),
                    sampledLatentRollouts));
        };
    }

    /**
     * Trains round {@code round} on {@code data} with the run's current settings.
     *
     * @throws io.sim2real.nn.NonFiniteException on a NaN, an infinity or (latent) a diverged joint loss
     * @throws IllegalStateException             when the data cannot train the model (too few transitions)
     */
    public abstract RoundReport train(long round, RoundData data, RunSettings settings);

    /** Whether a round has trained (or a checkpoint restored) the model. */
    public abstract boolean trained();

    /**
     * One model step in observation space for start states of domain d: the model's mean prediction, or one sampled
     * as rollouts sample it.
     */
    public abstract void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng,
                                 double[][] next, double[] rew);

    /** Saves the model in {@code folder} as model version {@code version}. */
    public abstract void save(Path folder, long version) throws IOException;

    /**
     * Restores the model saved in {@code folder}, if there is one; returns its version. A latent model needs the data
     * its networks were shaped on.
     *
     * @throws io.sim2real.nn.Checkpoint.CheckpointException for an unreadable checkpoint or one of another shape
     */
    public abstract OptionalLong restore(Path folder, RoundData data, RunSettings settings);

    /** Rollouts that start in domain d, of {@code count} in all. */
    abstract int startsIn(Domain d, int count, RoundData data, RunSettings settings);

    /** The rollouts of {@code count} that start from real states: the run's {@code realStartShare} of them, rounded. */
    static int realStarts(int count, RunSettings settings) {
        return (int) Math.round(count * settings.number(RunParameter.REAL_START_SHARE));
    }

    abstract RolloutModel rolloutModel(Domain d);

    abstract boolean latent();

    /**
     * Round {@code round}'s branched rollouts: {@code rolloutsPerRound} of them, each {@code length} model steps,
     * acted by {@code policy} (uniform random actions without one), to {@code sink} in batches of at most
     * {@code batchSize}. Returns the model transitions made (rows a diverging model made non-finite are dropped).
     */
    public final long rollouts(long round, RoundData data, RunSettings settings, Optional<ActorRunner> policy, int length,
                               int batchSize, Consumer<RolloutBatch> sink) {
        if (!settings.traits().rollsOut()) {
            throw new IllegalStateException("method " + settings.method().wireName() + " publishes no rollouts");
        }
        if (!trained()) {
            throw new IllegalStateException("no model to roll out before a round");
        }
        int count = settings.integer(RunParameter.ROLLOUTS_PER_ROUND);
        SplittableRandom rng = new SplittableRandom(seeds.of(RunSeeds.Stream.ROLLOUTS, round));
        long made = 0;
        for (Domain d : Domain.values()) {
            int n = startsIn(d, count, data, settings);
            if (n == 0) {
                continue;
            }
            double[][] starts = sample(data.of(d), n, rng);
            made += Rollouts.generate(rolloutModel(d), latent(), spec, starts, length, settings.runId(), round, d, batchSize,
                    rng, policy, sink);
        }
        return made;
    }

    /** {@code count} observations drawn uniformly with replacement (as TransitionStore.sampleObservations draws). */
    static double[][] sample(Transitions t, int count, SplittableRandom rng) {
        if (t.size() == 0) {
            throw new IllegalStateException("no transitions to start rollouts from");
        }
        double[][] out = new double[count][];
        for (int k = 0; k < count; k++) {
            out[k] = t.obs()[rng.nextInt(t.size())];
        }
        return out;
    }
}
