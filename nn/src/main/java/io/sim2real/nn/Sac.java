package io.sim2real.nn;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Soft actor-critic (Haarnoja et al. 2018) on the nn core: a tanh-squashed Gaussian actor, twin Q critics (a
 * 2-member ensemble, one lane each) with Polyak-averaged targets, and automatic entropy tuning. One
 * {@link #update} is one gradient step of critics, actor and temperature on a batch. {@link #save} and
 * {@link #restore} carry everything a later update depends on (networks, target critics, Adam moments and steps,
 * log-alpha, the noise generator), so a restored Sac continues bit for bit like the one saved.
 */
public final class Sac {

    /** What an update measured. */
    public record UpdateStats(double criticLoss, double actorLoss, double alpha, double entropy) {
    }

    /** The checkpoint kind of a Sac ({@link Checkpoint}). */
    public static final String CHECKPOINT_KIND = "sac";

    private final SacConfig config;
    private final SquashedGaussianActor actor;
    private final EnsembleMlp critic;
    private final EnsembleMlp target;
    private final Adam actorAdam;
    private final Adam criticAdam;
    private final Adam alphaAdam;
    private final INDArray logAlpha;
    private final INDArray logAlphaGrad;
    private ResumableRandom random;

    private final int obsDim;
    private final int actDim;
    private final INDArray obs;
    private final INDArray next;
    private final INDArray sa;
    private final INDArray nextSa;
    private final INDArray actions;
    private final INDArray gq;
    private final float[] rew;
    private final float[] notDone;
    private final float[] y;
    private final float[] q0;
    private final float[] q1;
    private final FloatBuffer dLossDAction;

    public Sac(SacConfig config) {
        this.config = config;
        this.obsDim = config.obsDim();
        this.actDim = config.actDim();
        int batch = config.batchSize();
        this.random = new ResumableRandom(config.seed());
        this.actor = new SquashedGaussianActor(obsDim, actDim, config.hidden(), batch, config.seed() + 1);
        int[] criticSizes = new int[config.hidden().length + 2];
        criticSizes[0] = obsDim + actDim;
        System.arraycopy(config.hidden(), 0, criticSizes, 1, config.hidden().length);
        criticSizes[criticSizes.length - 1] = 1;
        this.critic = new EnsembleMlp(2, criticSizes, Activation.RELU, batch, 2, config.seed() + 2);
        this.target = new EnsembleMlp(2, criticSizes, Activation.RELU, batch, 1, config.seed() + 2);
        copy(critic.parameters(), target.parameters(), 1.0f);
        int actorParams = actor.network().parameters().size();
        int criticParams = critic.parameters().size();
        this.actorAdam = new Adam(actor.network().parameters(), actor.network().gradients(), config.actorLearningRate(),
                new double[actorParams], 0);
        this.criticAdam = new Adam(critic.parameters(), critic.gradients(), config.criticLearningRate(),
                new double[criticParams], 0);
        this.logAlpha = F32.zeros(1, 1).addi(Math.log(config.initialAlpha()));
        this.logAlphaGrad = F32.zeros(1, 1);
        this.alphaAdam = new Adam(List.of(logAlpha), List.of(logAlphaGrad), config.alphaLearningRate(), new double[1], 0);
        this.obs = F32.zeros(batch, obsDim);
        this.next = F32.zeros(batch, obsDim);
        this.sa = F32.zeros(batch, obsDim + actDim);
        this.nextSa = F32.zeros(batch, obsDim + actDim);
        this.actions = F32.zeros(batch, actDim);
        this.gq = F32.zeros(batch, 1);
        this.rew = new float[batch];
        this.notDone = new float[batch];
        this.y = new float[batch];
        this.q0 = new float[batch];
        this.q1 = new float[batch];
        this.dLossDAction = java.nio.FloatBuffer.allocate(batch * actDim);
    }

    public SquashedGaussianActor actor() {
        return actor;
    }

    public double alpha() {
        return Math.exp(F32.view(logAlpha).get(0));
    }

    /** One SAC step on {@code rows} transitions (at most the configured batch size). */
    public UpdateStats update(double[][] o, double[][] a, double[] r, double[][] o2, boolean[] done, int rows) {
        load(o, a, r, o2, done, rows);
        computeTargets(rows);
        double criticLoss = computeCriticGradients(rows);
        criticAdam.step();
        actor.drawNoise(rows, random.get());
        double actorLoss = computeActorGradients(rows);
        actorAdam.step();
        double meanLogProb = 0;
        for (int b = 0; b < rows; b++) {
            meanLogProb += actor.logProb(b) / rows;
        }
        // d/d logAlpha of -logAlpha * mean(logProb + targetEntropy)
        F32.view(logAlphaGrad).put(0, (float) -(meanLogProb + config.targetEntropy()));
        alphaAdam.step();
        polyak();
        return new UpdateStats(criticLoss, actorLoss, alpha(), -meanLogProb);
    }

    void load(double[][] o, double[][] a, double[] r, double[][] o2, boolean[] done, int rows) {
        if (rows < 1 || rows > config.batchSize()) {
            throw new IllegalArgumentException("batch of " + rows + " rows, configured for 1.." + config.batchSize());
        }
        FloatBuffer ov = F32.view(obs);
        FloatBuffer nv = F32.view(next);
        FloatBuffer av = F32.view(actions);
        for (int b = 0; b < rows; b++) {
            for (int j = 0; j < obsDim; j++) {
                ov.put(b * obsDim + j, (float) o[b][j]);
                nv.put(b * obsDim + j, (float) o2[b][j]);
            }
            for (int j = 0; j < actDim; j++) {
                av.put(b * actDim + j, (float) a[b][j]);
            }
            rew[b] = (float) r[b];
            notDone[b] = done[b] ? 0f : 1f;
            if (!Double.isFinite(r[b])) {
                throw new NonFiniteException("reward " + b + " is " + r[b]);
            }
        }
        fillStateAction(sa, obs, actions, rows);
    }

    /** y = r + gamma (1 - done) (min_i Q_target_i(s', a') - alpha log pi(a'|s')), a' sampled now. */
    void computeTargets(int rows) {
        actor.drawNoise(rows, random.get());
        actor.sample(next, rows, actions);
        fillStateAction(nextSa, next, actions, rows);
        FloatBuffer t0 = F32.view(target.forward(0, nextSa, rows));
        for (int b = 0; b < rows; b++) {
            q0[b] = t0.get(b);
        }
        FloatBuffer t1 = F32.view(target.forward(1, nextSa, rows));
        float alpha = (float) alpha();
        for (int b = 0; b < rows; b++) {
            float v = Math.min(q0[b], t1.get(b)) - alpha * actor.logProb(b);
            y[b] = rew[b] + (float) config.gamma() * notDone[b] * v;
        }
    }

    /** Fills the critics' gradients of sum_i mean_b (Q_i(s, a) - y)^2; returns that loss. */
    double computeCriticGradients(int rows) {
        double loss = 0;
        FloatBuffer g = F32.view(gq);
        for (int i = 0; i < 2; i++) {
            FloatBuffer q = F32.view(critic.forward(i, sa, rows));
            for (int b = 0; b < rows; b++) {
                float d = q.get(b) - y[b];
                loss += (double) d * d / rows;
                g.put(b, 2f * d / rows);
            }
            critic.backward(i, gq, rows, true, false);
        }
        if (!Double.isFinite(loss)) {
            throw new NonFiniteException("critic loss is " + loss);
        }
        return loss;
    }

    /**
     * Fills the actor's gradients of mean_b [alpha log pi(a_b|s_b) - min_i Q_i(s_b, a_b)] with a_b from the
     * current noise; the critics are only differentiated through, not updated. Returns that loss.
     */
    double computeActorGradients(int rows) {
        actor.sample(obs, rows, actions);
        fillStateAction(sa, obs, actions, rows);
        // Critic i has lane i: both forward passes stay valid for both backward passes.
        FloatBuffer a0 = F32.view(critic.forward(0, sa, rows));
        FloatBuffer a1 = F32.view(critic.forward(1, sa, rows));
        float alpha = (float) alpha();
        double loss = 0;
        for (int b = 0; b < rows; b++) {
            q0[b] = a0.get(b);
            q1[b] = a1.get(b);
            loss += (alpha * actor.logProb(b) - Math.min(q0[b], q1[b])) / rows;
        }
        for (int k = 0; k < rows * actDim; k++) {
            dLossDAction.put(k, 0f);
        }
        FloatBuffer g = F32.view(gq);
        int w = obsDim + actDim;
        for (int i = 0; i < 2; i++) {
            for (int b = 0; b < rows; b++) {
                boolean chosen = i == 0 ? q0[b] <= q1[b] : q1[b] < q0[b];
                g.put(b, chosen ? -1f / rows : 0f);
            }
            FloatBuffer gin = F32.view(critic.backward(i, gq, rows, false, true));
            for (int b = 0; b < rows; b++) {
                for (int j = 0; j < actDim; j++) {
                    dLossDAction.put(b * actDim + j, dLossDAction.get(b * actDim + j) + gin.get(b * w + obsDim + j));
                }
            }
        }
        actor.backward(rows, dLossDAction, alpha / rows);
        if (!Double.isFinite(loss)) {
            throw new NonFiniteException("actor loss is " + loss);
        }
        // The critics are only differentiated through: their parameter gradients (a third of their backward products)
        // are not computed here.
        return loss;
    }

    /**
     * Writes everything a later update depends on to {@code file}, atomically, with {@code owner}'s state (e.g. a
     * learner's counters) in the header, where {@link #restore} hands it back. Weights and optimiser moments are
     * binary float32, bit for bit; counters and the generator's state are exact integers.
     */
    public void save(Path file, Map<String, Object> owner) throws IOException {
        List<INDArray> arrays = new ArrayList<>(stateArrays());
        for (Adam adam : optimisers()) {
            for (float[] m : adam.firstMoments()) {
                arrays.add(row(m));
            }
            for (float[] v : adam.secondMoments()) {
                arrays.add(row(v));
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("obsDim", obsDim);
        meta.put("actDim", actDim);
        meta.put("hidden", config.hidden());
        meta.put("adamSteps", List.of(actorAdam.steps(), criticAdam.steps(), alphaAdam.steps()));
        meta.put("randomState", random.state());
        meta.put("owner", owner);
        Checkpoint.save(file, CHECKPOINT_KIND, meta, arrays);
    }

    /**
     * Restores a checkpoint of {@link #save}; returns the owner's state saved with it. A checkpoint that cannot be
     * used (unreadable, corrupt, another kind or another architecture) throws {@link Checkpoint.CheckpointException}
     * before anything of this Sac is changed.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> restore(Path file) {
        Checkpoint.Loaded loaded = Checkpoint.load(file, CHECKPOINT_KIND);
        Map<String, Object> meta = loaded.header().meta();
        long[] steps;
        long randomState;
        Map<String, Object> owner;
        try {
            int[] hidden = ((List<Number>) meta.get("hidden")).stream().mapToInt(Number::intValue).toArray();
            int o = ((Number) meta.get("obsDim")).intValue();
            int a = ((Number) meta.get("actDim")).intValue();
            if (o != obsDim || a != actDim || !Arrays.equals(hidden, config.hidden())) {
                throw new Checkpoint.CheckpointException(file + " holds a SAC for " + o + " observations, " + a
                        + " actions and hidden layers " + Arrays.toString(hidden) + "; this one has " + obsDim + ", "
                        + actDim + " and " + Arrays.toString(config.hidden()));
            }
            steps = ((List<Number>) meta.get("adamSteps")).stream().mapToLong(Number::longValue).toArray();
            randomState = ((Number) meta.get("randomState")).longValue();
            owner = meta.get("owner") == null ? Map.of() : (Map<String, Object>) meta.get("owner");
        } catch (ClassCastException | NullPointerException e) {
            throw new Checkpoint.CheckpointException(file + " has an incomplete SAC header: " + e, e);
        }
        if (steps.length != 3) {
            throw new Checkpoint.CheckpointException(file + " has " + steps.length + " optimiser step counts, expected 3");
        }
        List<INDArray> state = stateArrays();
        List<INDArray> targets = new ArrayList<>(state.size());
        for (INDArray x : state) {
            targets.add(Nd4j.create(DataType.FLOAT, x.shape(), 'c'));
        }
        List<float[]> moments = new ArrayList<>();
        for (Adam adam : optimisers()) {
            moments.addAll(Arrays.asList(adam.firstMoments()));
            moments.addAll(Arrays.asList(adam.secondMoments()));
        }
        for (float[] m : moments) {
            targets.add(F32.zeros(1, m.length));
        }
        // Checks every shape before it copies anything; only then is this Sac changed.
        loaded.restoreInto(targets);
        for (int i = 0; i < state.size(); i++) {
            F32.view(state.get(i)).put(0, F32.view(targets.get(i)), 0, (int) state.get(i).length());
        }
        for (int i = 0; i < moments.size(); i++) {
            F32.view(targets.get(state.size() + i)).get(0, moments.get(i));
        }
        List<Adam> adams = optimisers();
        for (int i = 0; i < adams.size(); i++) {
            adams.get(i).restoreSteps(steps[i]);
        }
        random = new ResumableRandom(randomState);
        return owner;
    }

    /** Weights of actor, critics and target critics, and log-alpha, in checkpoint order. */
    private List<INDArray> stateArrays() {
        List<INDArray> arrays = new ArrayList<>(actor.network().parameters());
        arrays.addAll(critic.parameters());
        arrays.addAll(target.parameters());
        arrays.add(logAlpha);
        return arrays;
    }

    private List<Adam> optimisers() {
        return List.of(actorAdam, criticAdam, alphaAdam);
    }

    private static INDArray row(float[] values) {
        INDArray a = F32.zeros(1, values.length);
        F32.view(a).put(0, values);
        return a;
    }

    /** The twin critics (for tests). */
    EnsembleMlp critic() {
        return critic;
    }

    private void fillStateAction(INDArray into, INDArray states, INDArray acts, int rows) {
        FloatBuffer d = F32.view(into);
        FloatBuffer s = F32.view(states);
        FloatBuffer a = F32.view(acts);
        int w = obsDim + actDim;
        for (int b = 0; b < rows; b++) {
            for (int j = 0; j < obsDim; j++) {
                d.put(b * w + j, s.get(b * obsDim + j));
            }
            for (int j = 0; j < actDim; j++) {
                d.put(b * w + obsDim + j, a.get(b * actDim + j));
            }
        }
    }

    private void polyak() {
        copy(critic.parameters(), target.parameters(), (float) config.tau());
    }

    /** to = (1 - tau) to + tau from. */
    private static void copy(List<INDArray> from, List<INDArray> to, float tau) {
        for (int p = 0; p < from.size(); p++) {
            HeapScratch.combine(to.get(p), 1 - tau, from.get(p), tau);
        }
    }
}
