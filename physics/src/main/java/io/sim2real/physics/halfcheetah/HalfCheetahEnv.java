package io.sim2real.physics.halfcheetah;

import static io.sim2real.contracts.PerturbationKind.ACTION_DELAY;
import static io.sim2real.contracts.PerturbationKind.OBSERVATION_NOISE;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.physics.mujoco.BatchStepper;
import io.sim2real.physics.mujoco.MjData;
import io.sim2real.physics.mujoco.MjModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * N HalfCheetah environments of one domain, stepped together: the standard interface (17-dim observation
 * qpos[1:] and qvel, 6 actions clipped to [-1, 1], reward forward velocity - 0.1 |a|^2, reset noise
 * U(-0.1, 0.1) on positions and 0.1 N(0, 1) on velocities, episodes of 1,000 steps, no termination).
 * Envs are split into groups, one native call per group per step, each group on its own thread. Every env has
 * its own random streams derived from the seed, so results do not depend on the number of threads.
 */
public final class HalfCheetahEnv implements AutoCloseable {

    public static final EnvSpec SPEC = EnvSpec.HALF_CHEETAH;
    public static final int FRAME_SKIP = 5;
    public static final int MAX_EPISODE_STEPS = 1000;
    static final double RESET_NOISE = 0.1;
    static final double CTRL_COST = 0.1;

    private final DomainPhysics physics;
    private final MjModel model;
    private final MjData[] datas;
    private final List<Group> groups = new ArrayList<>();
    private final LockstepWorkers workers;
    private final double dt;
    private final double[] qpos0;
    private final double observationNoise;
    private final int actionDelay;

    private final SplittableRandom[] resetRandom;
    private final SplittableRandom[] noiseRandom;
    private final long[] episodeCount;
    private final int[] stepIndex;
    /** Forward position of each env's torso, for the reward's velocity term. */
    private final double[] rootX;
    private final double[][] currentObs;
    private final double[][][] pendingActions;
    private final int[] pendingHead;
    private boolean started;

    /** A slice of the envs, stepped by one native call. */
    private record Group(int from, BatchStepper stepper) {
    }

    /** {@code numEnvs} envs whose seeds are drawn from {@code seed}. */
    public HalfCheetahEnv(DomainPhysics physics, int numEnvs, int threads, long seed) {
        this(physics, seedsFrom(seed, numEnvs), threads);
    }

    /** One env per seed: env i's episodes depend on {@code envSeeds[i]} alone (evaluation records them). */
    public HalfCheetahEnv(DomainPhysics physics, long[] envSeeds, int threads) {
        int numEnvs = envSeeds.length;
        if (numEnvs < 1) {
            throw new IllegalArgumentException("numEnvs must be >= 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        this.physics = physics;
        this.model = MjModel.compile(HalfCheetahMjcf.write(physics));
        this.dt = model.timestep() * FRAME_SKIP;
        this.qpos0 = model.qpos0();
        this.observationNoise = physics.factor(OBSERVATION_NOISE);
        this.actionDelay = (int) physics.factor(ACTION_DELAY);
        this.datas = new MjData[numEnvs];
        for (int i = 0; i < numEnvs; i++) {
            datas[i] = new MjData(model);
        }
        int groupCount = Math.min(threads, numEnvs);
        for (int g = 0; g < groupCount; g++) {
            int from = g * numEnvs / groupCount;
            int to = (g + 1) * numEnvs / groupCount;
            MjData[] slice = new MjData[to - from];
            System.arraycopy(datas, from, slice, 0, slice.length);
            groups.add(new Group(from, new BatchStepper(slice)));
        }
        this.workers = new LockstepWorkers(groupCount, "halfcheetah-physics");

        this.resetRandom = new SplittableRandom[numEnvs];
        this.noiseRandom = new SplittableRandom[numEnvs];
        for (int i = 0; i < numEnvs; i++) {
            SplittableRandom envRandom = new SplittableRandom(envSeeds[i]);
            resetRandom[i] = envRandom.split();
            noiseRandom[i] = envRandom.split();
        }
        this.episodeCount = new long[numEnvs];
        this.stepIndex = new int[numEnvs];
        this.rootX = new double[numEnvs];
        this.currentObs = new double[numEnvs][];
        this.pendingActions = new double[numEnvs][actionDelay][SPEC.actDim()];
        this.pendingHead = new int[numEnvs];
    }

    private static long[] seedsFrom(long seed, int numEnvs) {
        if (numEnvs < 1) {
            throw new IllegalArgumentException("numEnvs must be >= 1");
        }
        SplittableRandom root = new SplittableRandom(seed);
        long[] seeds = new long[numEnvs];
        for (int i = 0; i < numEnvs; i++) {
            seeds[i] = root.nextLong();
        }
        return seeds;
    }

    public int numEnvs() {
        return datas.length;
    }

    public DomainPhysics physics() {
        return physics;
    }

    /** The compiled model, for describing the domain's physics. */
    public MjModel model() {
        return model;
    }

    /** Starts a new episode in every env; returns the first observations. */
    public double[][] reset() {
        for (int i = 0; i < datas.length; i++) {
            resetEnv(i);
        }
        started = true;
        return copy(currentObs);
    }

    public double[][] observations() {
        ensureStarted();
        return copy(currentObs);
    }

    /**
     * Puts env i in the state that observation {@code obs[i]} describes (qpos without rootx, then qvel; rootx = 0)
     * and starts a new episode there. HalfCheetah's dynamics do not depend on rootx, so the next step is the ground
     * truth of a model's one-step prediction from that observation. Refused in domains whose observation is not
     * the whole state (observation noise, action delay).
     */
    public void setStates(double[][] obs) {
        if (observationNoise > 0 || actionDelay > 0) {
            throw new IllegalStateException("an observation is not the whole state under observation noise or action delay");
        }
        if (obs.length != datas.length) {
            throw new IllegalArgumentException("got " + obs.length + " observations for " + datas.length + " environments");
        }
        int nq = model.nq();
        for (int i = 0; i < obs.length; i++) {
            if (obs[i].length != SPEC.obsDim()) {
                throw new IllegalArgumentException("observation " + i + " has " + obs[i].length + " values, not " + SPEC.obsDim());
            }
            double[] qpos = new double[nq];
            System.arraycopy(obs[i], 0, qpos, 1, nq - 1);
            double[] qvel = java.util.Arrays.copyOfRange(obs[i], nq - 1, nq - 1 + model.nv());
            datas[i].reset(qpos, qvel);
            rootX[i] = 0;
            stepIndex[i] = 0;
            episodeCount[i]++;
            currentObs[i] = obs[i].clone();
        }
        started = true;
    }

    /** Steps every env with its action (row i for env i). */
    public StepResult step(double[][] actions) {
        ensureStarted();
        int n = datas.length;
        if (actions.length != n) {
            throw new IllegalArgumentException("got " + actions.length + " actions for " + n + " environments");
        }
        for (int i = 0; i < n; i++) {
            checkAction(actions[i], i);
        }
        StepResult out = new StepResult(new long[n], new int[n], new double[n][], new double[n][], new double[n],
                new double[n][], new boolean[n], new boolean[n]);
        workers.run(g -> stepGroup(groups.get(g), actions, out));
        return out;
    }

    /** One group's share of a step, on its own thread: controls in, physics, results out. */
    private void stepGroup(Group g, double[][] actions, StepResult out) {
        BatchStepper s = g.stepper();
        int nu = SPEC.actDim();
        java.nio.DoubleBuffer ctrl = s.ctrl();
        for (int k = 0; k < s.size(); k++) {
            int i = g.from() + k;
            out.act()[i] = clip(actions[i]);
            ctrl.put(k * nu, delayed(i, out.act()[i]));
        }
        s.step(FRAME_SKIP);
        for (int k = 0; k < s.size(); k++) {
            int i = g.from() + k;
            out.episodeIds()[i] = episodeId(i);
            out.stepIndices()[i] = stepIndex[i];
            out.obs()[i] = currentObs[i];
            double ctrlCost = 0;
            for (double a : out.act()[i]) {
                ctrlCost += a * a;
            }
            double xAfter = s.qpos().get(k * model.nq());
            out.rew()[i] = (xAfter - rootX[i]) / dt - CTRL_COST * ctrlCost;
            rootX[i] = xAfter;
            double[] next = observe(s.qpos(), s.qvel(), k, i);
            out.nextObs()[i] = next;
            out.unstable()[i] = s.unstable(k);
            stepIndex[i]++;
            out.truncated()[i] = stepIndex[i] >= MAX_EPISODE_STEPS;
            if (out.truncated()[i] || out.unstable()[i]) {
                episodeCount[i]++;
                resetEnv(i);
            } else {
                currentObs[i] = next;
            }
        }
    }

    private long episodeId(int env) {
        return episodeCount[env] * datas.length + env;
    }

    private void resetEnv(int i) {
        SplittableRandom r = resetRandom[i];
        double[] qpos = new double[model.nq()];
        double[] qvel = new double[model.nv()];
        for (int j = 0; j < qpos.length; j++) {
            qpos[j] = qpos0[j] + (2 * r.nextDouble() - 1) * RESET_NOISE;
        }
        for (int j = 0; j < qvel.length; j++) {
            qvel[j] = RESET_NOISE * r.nextGaussian();
        }
        datas[i].reset(qpos, qvel);
        rootX[i] = qpos[0];
        stepIndex[i] = 0;
        for (double[] pending : pendingActions[i]) {
            java.util.Arrays.fill(pending, 0.0);
        }
        pendingHead[i] = 0;
        currentObs[i] = observation(qpos, qvel, i);
    }

    /** Env k of a group, just stepped: qpos without rootx, then qvel. */
    private double[] observe(java.nio.DoubleBuffer qpos, java.nio.DoubleBuffer qvel, int k, int env) {
        int nq = model.nq();
        int nv = model.nv();
        double[] o = new double[SPEC.obsDim()];
        qpos.get(k * nq + 1, o, 0, nq - 1);
        qvel.get(k * nv, o, nq - 1, nv);
        return withNoise(o, env);
    }

    /** A state set by reset: qpos without rootx, then qvel. */
    private double[] observation(double[] qpos, double[] qvel, int env) {
        int nq = model.nq();
        double[] o = new double[SPEC.obsDim()];
        System.arraycopy(qpos, 1, o, 0, nq - 1);
        System.arraycopy(qvel, 0, o, nq - 1, model.nv());
        return withNoise(o, env);
    }

    /** The domain's observation noise, from the env's own stream. */
    private double[] withNoise(double[] o, int env) {
        if (observationNoise > 0) {
            SplittableRandom r = noiseRandom[env];
            for (int j = 0; j < o.length; j++) {
                o[j] += observationNoise * r.nextGaussian();
            }
        }
        return o;
    }

    /** With an action delay of d steps, the motors receive the action commanded d steps ago (zeros at first). */
    private double[] delayed(int env, double[] commanded) {
        if (actionDelay == 0) {
            return commanded;
        }
        double[][] queue = pendingActions[env];
        int head = pendingHead[env];
        double[] applied = queue[head].clone();
        queue[head] = commanded.clone();
        pendingHead[env] = (head + 1) % actionDelay;
        return applied;
    }

    private static void checkAction(double[] action, int env) {
        if (action == null || action.length != SPEC.actDim()) {
            throw new IllegalArgumentException("action for env " + env + " must have " + SPEC.actDim() + " values");
        }
        for (int j = 0; j < action.length; j++) {
            if (!Double.isFinite(action[j])) {
                throw new IllegalArgumentException("action for env " + env + " has a non-finite value at " + j + ": " + action[j]);
            }
        }
    }

    private static double[] clip(double[] action) {
        double[] out = new double[action.length];
        for (int j = 0; j < action.length; j++) {
            out[j] = Math.max(SPEC.actionLow(), Math.min(SPEC.actionHigh(), action[j]));
        }
        return out;
    }

    private void ensureStarted() {
        if (!started) {
            throw new IllegalStateException("call reset() before stepping");
        }
    }


    private static double[][] copy(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }

    @Override
    public void close() {
        workers.close();
        for (MjData d : datas) {
            d.close();
        }
        model.close();
    }
}
