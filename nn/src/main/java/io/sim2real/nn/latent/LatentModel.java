package io.sim2real.nn.latent;

import io.sim2real.contracts.Domain;
import io.sim2real.nn.Adam;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.F32;
import io.sim2real.nn.GaussianEnsemble;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.ResidualMlp;
import io.sim2real.nn.RolloutModel;
import io.sim2real.nn.Standardizer;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The latent sim-to-real model of METHOD.md: encoders p_sim, p_real and decoders q_sim, q_real between
 * observations and a shared latent space Z (= R^obsDim), a shared latent dynamics ensemble P(z', r | z, a), and
 * the mapping m from real latents to sim latents. Encoders, decoders and m are {@link ResidualMlp}s that start
 * as the identity, and the dynamics starts as a copy of a single-domain {@link DynamicsModel}, so before joint
 * training the latent model predicts exactly what that model predicts.
 *
 * <p>Joint training minimises, on a minibatch of each domain,
 * {@code sum_d [NLL_d + lambdaDec |q_d(z'_pred) - o'|^2 + lambdaAe |q_d(p_d(o)) - o|^2] + lambdaCorr |m(p_real(o)) - sg(p_sim(o))|^2
 * + lambdaAnchor |p_real(o) - p_sim(o)|^2}, the correspondence and anchor terms over the observations of both domains
 * (the anchor's gradient reaches both encoders; the sim one drops it when it is kept the identity). Reconstruction,
 * correspondence and anchor errors are measured in standardised observation units (the dynamics' input scale), so
 * that no velocity dimension dominates.
 */
public final class LatentModel {

    /** Where the shared dynamics starts. */
    public enum Init {
        /** From an ensemble trained on simulator data. */
        SIM,
        /** From an ensemble trained on the real (offline) data. */
        REAL,
        /** From random weights (the ablation); standardisation fitted on both domains' data. */
        RANDOM
    }

    /** The terms of the joint objective at one step (prediction and decoding summed over domains). */
    public record Losses(double prediction, double decoding, double autoencoding, double correspondence, double anchor,
                         double total) {
    }

    public static final String CHECKPOINT_KIND = "latent-model";

    private final int obsDim;
    private final int actDim;
    private final LatentConfig config;
    private final DynamicsModel dynamics;
    private final ResidualMlp[] encoders = new ResidualMlp[2];
    private final ResidualMlp[] decoders = new ResidualMlp[2];
    private final ResidualMlp mapping;
    private float[] obsScale;
    private final Adam adam;
    private final int batch;

    // Training buffers, allocated once (rows: sim batch then real batch where both domains share a buffer).
    private final INDArray[] encIn = new INDArray[2];
    private final INDArray[] encGrad = new INDArray[2];
    private final INDArray[] act = new INDArray[2];
    private final float[][] rew = new float[2][];
    private final INDArray corrIn;
    private final INDArray corrTarget;
    private final INDArray corrGrad;
    private final INDArray realGrad;
    private final INDArray simGrad;
    private final INDArray zNow;
    private final INDArray zNext;
    private final INDArray gzNow;
    private final INDArray gzNext;
    private final INDArray u;
    private final INDArray y;
    private final INDArray gy;
    private final INDArray gOut;
    private final INDArray mean;
    private final INDArray zPred;
    private final INDArray decGrad;
    private final float[] dMax;
    private final float[] dMin;

    private LatentModel(DynamicsModel dynamics, LatentConfig config, float[] obsCentre, float[] obsScale) {
        this.dynamics = dynamics;
        this.config = config;
        GaussianEnsemble ensemble = dynamics.ensemble();
        this.obsDim = ensemble.outputSize() - 1;
        this.actDim = ensemble.inputSize() - obsDim;
        this.obsScale = obsScale.clone();
        this.batch = config.batchSize();
        int maxRows = Math.max(2 * batch, 2048);
        long seed = config.seed();
        for (Domain d : Domain.values()) {
            int i = d.ordinal();
            encoders[i] = new ResidualMlp(obsDim, config.hidden(), config.activation(), obsCentre, obsScale, maxRows, seed + 11 * i + 1);
            decoders[i] = new ResidualMlp(obsDim, config.hidden(), config.activation(), obsCentre, obsScale, maxRows, seed + 11 * i + 2);
            encIn[i] = F32.zeros(2L * batch, obsDim);
            encGrad[i] = F32.zeros(2L * batch, obsDim);
            act[i] = F32.zeros(batch, actDim);
            rew[i] = new float[batch];
        }
        this.mapping = new ResidualMlp(obsDim, config.hidden(), config.activation(), obsCentre, obsScale, maxRows, seed + 33);
        if (ensemble.maxBatch() < 2 * batch) {
            throw new IllegalArgumentException("the dynamics ensemble holds " + ensemble.maxBatch() + " rows; joint training needs "
                    + 2 * batch);
        }
        corrIn = F32.zeros(2L * batch, obsDim);
        corrTarget = F32.zeros(2L * batch, obsDim);
        corrGrad = F32.zeros(2L * batch, obsDim);
        realGrad = F32.zeros(2L * batch, obsDim);
        simGrad = F32.zeros(2L * batch, obsDim);
        zNow = F32.zeros(2L * batch, obsDim);
        zNext = F32.zeros(2L * batch, obsDim);
        gzNow = F32.zeros(2L * batch, obsDim);
        gzNext = F32.zeros(2L * batch, obsDim);
        u = F32.zeros(2L * batch, obsDim + actDim);
        y = F32.zeros(2L * batch, obsDim + 1);
        gy = F32.zeros(2L * batch, obsDim + 1);
        gOut = F32.zeros(2L * batch, 2L * (obsDim + 1));
        mean = F32.zeros(2L * batch, obsDim + 1);
        zPred = F32.zeros(2L * batch, obsDim);
        decGrad = F32.zeros(batch, obsDim);
        dMax = new float[obsDim + 1];
        dMin = new float[obsDim + 1];

        List<INDArray> params = new ArrayList<>(ensemble.parameters());
        List<INDArray> grads = new ArrayList<>(ensemble.gradients());
        List<Double> decay = new ArrayList<>();
        for (double v : ensemble.weightDecays()) {
            decay.add(v);
        }
        for (ResidualMlp net : residualNetworks()) {
            params.addAll(net.parameters());
            grads.addAll(net.gradients());
            for (int p = 0; p < net.parameters().size(); p++) {
                decay.add(net.isWeight(p) ? config.weightDecay() : 0.0);
            }
        }
        this.adam = new Adam(params, grads, config.learningRate(), decay.stream().mapToDouble(Double::doubleValue).toArray(), 0);
    }

    /**
     * A latent model whose dynamics is a copy of {@code init} (trained on one domain's data: sim-init or
     * real-init) and whose encoders, decoders and mapping are the identity.
     */
    public static LatentModel from(DynamicsModel init, int obsDim, int actDim, LatentConfig config) {
        DynamicsModel copy = new DynamicsModel(obsDim, actDim, forJointTraining(init.config()));
        copy.copyFrom(init);
        return new LatentModel(copy, config, centre(copy, obsDim), scale(copy, obsDim));
    }

    /** A latent model with random dynamics, standardised on both domains' data (the ablation). */
    public static LatentModel random(Transitions sim, Transitions real, int obsDim, int actDim, EnsembleConfig ensemble,
                                     LatentConfig config) {
        DynamicsModel model = new DynamicsModel(obsDim, actDim, forJointTraining(ensemble));
        Transitions both = sim.concat(real);
        model.fitStandardization(both.obs(), both.act(), both.rew(), both.nextObs(), both.size());
        return new LatentModel(model, config, centre(model, obsDim), scale(model, obsDim));
    }

    /**
     * A latent model by its initialisation: from {@code simModel} (sim-init), from an ensemble of config
     * {@code ensemble} trained here on the real data (real-init), or random with that config (random-init).
     */
    public static LatentModel create(Init init, DynamicsModel simModel, Transitions sim, Transitions real,
                                     EnsembleConfig ensemble, LatentConfig config) {
        int obsDim = sim.obs()[0].length;
        int actDim = sim.act()[0].length;
        return switch (init) {
            case SIM -> from(simModel, obsDim, actDim, config);
            case REAL -> {
                DynamicsModel realModel = new DynamicsModel(obsDim, actDim, ensemble);
                realModel.train(real.obs(), real.act(), real.rew(), real.nextObs(), real.size());
                yield from(realModel, obsDim, actDim, config);
            }
            case RANDOM -> random(sim, real, obsDim, actDim, ensemble, config);
        };
    }

    /** Joint training feeds the ensemble both domains' batches at once: its buffers must hold them. */
    private static EnsembleConfig forJointTraining(EnsembleConfig ensemble) {
        return ensemble.withThreads(1);
    }

    private static float[] centre(DynamicsModel model, int obsDim) {
        Standardizer s = model.inputStandardizer();
        float[] c = new float[obsDim];
        for (int j = 0; j < obsDim; j++) {
            c[j] = s.mean(j);
        }
        return c;
    }

    private static float[] scale(DynamicsModel model, int obsDim) {
        Standardizer s = model.inputStandardizer();
        float[] c = new float[obsDim];
        for (int j = 0; j < obsDim; j++) {
            c[j] = s.std(j);
        }
        return c;
    }

    private List<ResidualMlp> residualNetworks() {
        return List.of(encoders[0], encoders[1], decoders[0], decoders[1], mapping);
    }

    public LatentConfig config() {
        return config;
    }

    /** The shared latent dynamics (an ensemble over (z, a), with its standardisation and elites). */
    public DynamicsModel dynamics() {
        return dynamics;
    }

    // ------------------------------------------------------------------ training

    /**
     * One Adam step of the joint objective on a random minibatch of each domain. Throws
     * {@link NonFiniteException} if any loss or gradient is NaN or infinite, before anything is updated.
     */
    public Losses trainStep(Transitions sim, Transitions real, SplittableRandom rng) {
        loadBatch(Domain.SIM, sim, rng);
        loadBatch(Domain.REAL, real, rng);
        Losses losses = computeGradients();
        adam.step();
        return losses;
    }

    private void loadBatch(Domain d, Transitions data, SplittableRandom rng) {
        int i = d.ordinal();
        int[] rows = new int[batch];
        for (int k = 0; k < batch; k++) {
            rows[k] = rng.nextInt(data.size());
        }
        loadRows(d, data, rows);
    }

    /** Loads the given rows of a domain's data as that domain's minibatch (batchSize rows). */
    void loadRows(Domain d, Transitions data, int[] rows) {
        int i = d.ordinal();
        FloatBuffer e = F32.view(encIn[i]);
        FloatBuffer a = F32.view(act[i]);
        for (int k = 0; k < batch; k++) {
            int r = rows[k];
            for (int j = 0; j < obsDim; j++) {
                e.put(k * obsDim + j, (float) data.obs()[r][j]);
                e.put((batch + k) * obsDim + j, (float) data.nextObs()[r][j]);
            }
            for (int j = 0; j < actDim; j++) {
                a.put(k * actDim + j, (float) data.act()[r][j]);
            }
            rew[i][k] = (float) data.rew()[r];
        }
    }

    /** Fills every gradient of the joint objective for the loaded minibatches and returns its terms. */
    Losses computeGradients() {
        for (ResidualMlp net : residualNetworks()) {
            net.zeroGradients();
        }
        double[] corrAnchor = correspondenceAndAnchor();
        double correspondence = corrAnchor[0];
        double anchor = corrAnchor[1];
        for (Domain d : Domain.values()) {
            encode(d);
        }
        double[] predDec = predictionAndDecoding();
        double autoencoding = 0;
        for (Domain d : Domain.values()) {
            autoencoding += autoencodeAndBackward(d);
        }
        double penalty = boundGradients();
        if (!config.trainSimAutoencoder()) {
            // They stay exactly the identity: their last layers start at zero and, with no gradient and no decay on a
            // zero weight, stay zero (weight decay may still shrink the hidden layers, which then feed nothing).
            encoders[Domain.SIM.ordinal()].zeroGradients();
            decoders[Domain.SIM.ordinal()].zeroGradients();
        }
        Losses losses = new Losses(predDec[0], predDec[1], autoencoding, correspondence, anchor,
                predDec[0] + predDec[1] + autoencoding + correspondence + anchor + penalty);
        if (!Double.isFinite(losses.total())) {
            throw new NonFiniteException("latent model loss is not finite: " + losses);
        }
        return losses;
    }

    /**
     * lambdaCorr |m(p_real(o)) - sg(p_sim(o))|^2 over both domains' observations, gradients into m and p_real; and
     * lambdaAnchor |p_real(o) - p_sim(o)|^2 over the same observations, gradients into p_real and p_sim (skipped at
     * weight 0, so that a run without the anchor computes exactly what it computed before). Returns both terms.
     */
    private double[] correspondenceAndAnchor() {
        int rows = 2 * batch;
        FloatBuffer in = F32.view(corrIn);
        FloatBuffer sim = F32.view(encIn[Domain.SIM.ordinal()]);
        FloatBuffer real = F32.view(encIn[Domain.REAL.ordinal()]);
        for (int i = 0; i < batch * obsDim; i++) {
            in.put(i, sim.get(i));
            in.put(batch * obsDim + i, real.get(i));
        }
        F32.view(corrTarget).put(0, floats(encoders[Domain.SIM.ordinal()].forward(corrIn, rows), rows * obsDim));
        ResidualMlp pReal = encoders[Domain.REAL.ordinal()];
        INDArray zReal = pReal.forward(corrIn, rows);
        FloatBuffer mapped = F32.view(mapping.forward(zReal, rows));
        FloatBuffer target = F32.view(corrTarget);
        FloatBuffer g = F32.view(corrGrad);
        double weight = config.lambdaCorr() / ((double) rows * obsDim);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < obsDim; j++) {
                int i = r * obsDim + j;
                double diff = (mapped.get(i) - target.get(i)) / obsScale[j];
                loss += diff * diff;
                g.put(i, (float) (2 * weight * diff / obsScale[j]));
            }
        }
        INDArray throughM = mapping.backward(corrGrad, rows);
        if (config.lambdaAnchor() == 0) {
            pReal.backward(throughM, rows);
            return new double[] {weight * loss, 0};
        }
        FloatBuffer back = F32.view(throughM);
        // zReal is p_real's output buffer, untouched since its forward pass (m and p_sim have their own).
        FloatBuffer zr = F32.view(zReal);
        FloatBuffer gr = F32.view(realGrad);
        FloatBuffer gs = F32.view(simGrad);
        double anchorWeight = config.lambdaAnchor() / ((double) rows * obsDim);
        double anchor = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < obsDim; j++) {
                int i = r * obsDim + j;
                double diff = (zr.get(i) - target.get(i)) / obsScale[j];
                anchor += diff * diff;
                float ga = (float) (2 * anchorWeight * diff / obsScale[j]);
                gr.put(i, back.get(i) + ga);
                gs.put(i, -ga);
            }
        }
        pReal.backward(realGrad, rows);
        if (config.trainSimAutoencoder()) {
            // p_sim's last forward pass was on these observations (the target above).
            encoders[Domain.SIM.ordinal()].backward(simGrad, rows);
        }
        return new double[] {weight * loss, anchorWeight * anchor};
    }

    /** z = p_d(o), z' = p_d(o') into the shared buffers (sim rows first). */
    private void encode(Domain d) {
        int i = d.ordinal();
        FloatBuffer z = F32.view(encoders[i].forward(encIn[i], 2 * batch));
        FloatBuffer now = F32.view(zNow);
        FloatBuffer next = F32.view(zNext);
        int offset = i * batch * obsDim;
        for (int k = 0; k < batch * obsDim; k++) {
            now.put(offset + k, z.get(k));
            next.put(offset + k, z.get(batch * obsDim + k));
        }
    }

    /**
     * The ensemble's NLL of (z' - z, r) given (z, a), and lambdaDec |q_d(z + predicted change) - o'|^2, member by
     * member over both domains' rows; leaves dL/dz and dL/dz' in gzNow and gzNext. Returns {prediction, decoding}.
     */
    private double[] predictionAndDecoding() {
        GaussianEnsemble ensemble = dynamics.ensemble();
        Standardizer in = dynamics.inputStandardizer();
        Standardizer out = dynamics.targetStandardizer();
        int rows = 2 * batch;
        int width = obsDim + 1;
        FloatBuffer now = F32.view(zNow);
        FloatBuffer next = F32.view(zNext);
        FloatBuffer uv = F32.view(u);
        FloatBuffer yv = F32.view(y);
        for (int r = 0; r < rows; r++) {
            int domain = r / batch;
            int k = r % batch;
            FloatBuffer a = F32.view(act[domain]);
            for (int j = 0; j < obsDim; j++) {
                float z = now.get(r * obsDim + j);
                uv.put(r * (obsDim + actDim) + j, (z - in.mean(j)) / in.std(j));
                yv.put(r * width + j, (next.get(r * obsDim + j) - z - out.mean(j)) / out.std(j));
            }
            for (int j = 0; j < actDim; j++) {
                uv.put(r * (obsDim + actDim) + obsDim + j, (a.get(k * actDim + j) - in.mean(obsDim + j)) / in.std(obsDim + j));
            }
            yv.put(r * width + obsDim, (rew[domain][k] - out.mean(obsDim)) / out.std(obsDim));
        }
        F32.view(gzNow).put(0, new float[rows * obsDim]);
        F32.view(gzNext).put(0, new float[rows * obsDim]);
        java.util.Arrays.fill(dMax, 0f);
        java.util.Arrays.fill(dMin, 0f);
        int members = ensemble.members();
        // The NLL over both domains' rows is a mean; times 2 it is the sum over domains of each domain's mean.
        float weight = 2f / members;
        double prediction = 0;
        double decoding = 0;
        FloatBuffer gz = F32.view(gzNow);
        FloatBuffer gzn = F32.view(gzNext);
        for (int e = 0; e < members; e++) {
            prediction += weight * ensemble.forwardNll(e, u, y, rows, weight, gOut, dMax, dMin, gy, mean);
            FloatBuffer mv = F32.view(mean);
            FloatBuffer zp = F32.view(zPred);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < obsDim; j++) {
                    zp.put(r * obsDim + j, now.get(r * obsDim + j) + mv.get(r * width + j) * out.std(j) + out.mean(j));
                }
            }
            FloatBuffer go = F32.view(gOut);
            for (Domain d : Domain.values()) {
                int i = d.ordinal();
                int first = i * batch;
                decoding += decodeNext(d, e, rows(zPred, first, batch), go, gz, first);
            }
            FloatBuffer gyv = F32.view(gy);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < obsDim; j++) {
                    float g = gyv.get(r * width + j) / out.std(j);
                    gzn.put(r * obsDim + j, gzn.get(r * obsDim + j) + g);
                    gz.put(r * obsDim + j, gz.get(r * obsDim + j) - g);
                }
            }
            FloatBuffer gu = F32.view(ensemble.network().backward(e, gOut, rows));
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < obsDim; j++) {
                    gz.put(r * obsDim + j, gz.get(r * obsDim + j) + gu.get(r * (obsDim + actDim) + j) / in.std(j));
                }
            }
        }
        return new double[] {prediction, decoding};
    }

    /**
     * Member e's decoding term for one domain: lambdaDec/E |q_d(zPred) - o'|^2, its gradient carried back into the
     * member's mean output (go) and into z (gz), rows from {@code first}.
     */
    private double decodeNext(Domain d, int e, INDArray zp, FloatBuffer go, FloatBuffer gz, int first) {
        int i = d.ordinal();
        int members = dynamics.ensemble().members();
        int width = obsDim + 1;
        Standardizer out = dynamics.targetStandardizer();
        FloatBuffer decoded = F32.view(decoders[i].forward(zp, batch));
        FloatBuffer target = F32.view(encIn[i]);
        FloatBuffer g = F32.view(decGrad);
        double weight = config.lambdaDec() / ((double) members * batch * obsDim);
        double loss = 0;
        for (int k = 0; k < batch; k++) {
            for (int j = 0; j < obsDim; j++) {
                double diff = (decoded.get(k * obsDim + j) - target.get((batch + k) * obsDim + j)) / obsScale[j];
                loss += diff * diff;
                g.put(k * obsDim + j, (float) (2 * weight * diff / obsScale[j]));
            }
        }
        FloatBuffer back = F32.view(decoders[i].backward(decGrad, batch));
        for (int k = 0; k < batch; k++) {
            int r = first + k;
            for (int j = 0; j < obsDim; j++) {
                float b = back.get(k * obsDim + j);
                go.put(r * 2 * width + j, go.get(r * 2 * width + j) + b * out.std(j));
                gz.put(r * obsDim + j, gz.get(r * obsDim + j) + b);
            }
        }
        return weight * loss;
    }

    /** lambdaAe |q_d(p_d(o)) - o|^2, then the encoder's backward pass with everything dL/dz and dL/dz' collected. */
    private double autoencodeAndBackward(Domain d) {
        int i = d.ordinal();
        int first = i * batch;
        FloatBuffer decoded = F32.view(decoders[i].forward(rows(zNow, first, batch), batch));
        FloatBuffer target = F32.view(encIn[i]);
        FloatBuffer g = F32.view(decGrad);
        double weight = config.lambdaAe() / ((double) batch * obsDim);
        double loss = 0;
        for (int k = 0; k < batch; k++) {
            for (int j = 0; j < obsDim; j++) {
                double diff = (decoded.get(k * obsDim + j) - target.get(k * obsDim + j)) / obsScale[j];
                loss += diff * diff;
                g.put(k * obsDim + j, (float) (2 * weight * diff / obsScale[j]));
            }
        }
        FloatBuffer back = F32.view(decoders[i].backward(decGrad, batch));
        FloatBuffer ge = F32.view(encGrad[i]);
        FloatBuffer gz = F32.view(gzNow);
        FloatBuffer gzn = F32.view(gzNext);
        for (int k = 0; k < batch * obsDim; k++) {
            ge.put(k, gz.get(first * obsDim + k) + back.get(k));
            ge.put(batch * obsDim + k, gzn.get(first * obsDim + k));
        }
        encoders[i].backward(encGrad[i], 2 * batch);
        return weight * loss;
    }

    /** Writes the log-variance bounds' gradients (NLL part plus the soft-bound penalty); returns the penalty. */
    private double boundGradients() {
        GaussianEnsemble ensemble = dynamics.ensemble();
        double p = ensemble.boundPenalty();
        INDArray[] grads = ensemble.boundGradients();
        INDArray[] bounds = ensemble.bounds();
        FloatBuffer gMax = F32.view(grads[0]);
        FloatBuffer gMin = F32.view(grads[1]);
        FloatBuffer max = F32.view(bounds[0]);
        FloatBuffer min = F32.view(bounds[1]);
        double penalty = 0;
        for (int j = 0; j < dMax.length; j++) {
            gMax.put(j, (float) (p + dMax[j]));
            gMin.put(j, (float) (-p + dMin[j]));
            penalty += p * (max.get(j) - min.get(j));
        }
        return penalty;
    }

    private static INDArray rows(INDArray a, int first, int count) {
        return a.get(NDArrayIndex.interval(first, first + count), NDArrayIndex.all());
    }

    private static float[] floats(INDArray a, int n) {
        float[] out = new float[n];
        F32.view(a).get(0, out, 0, n);
        return out;
    }

    /** Every trainable array, in the optimiser's order (for tests and checkpoints). */
    List<INDArray> parameters() {
        List<INDArray> params = new ArrayList<>(dynamics.ensemble().parameters());
        for (ResidualMlp net : residualNetworks()) {
            params.addAll(net.parameters());
        }
        return params;
    }

    /** The gradients, in the order of {@link #parameters()}. */
    List<INDArray> gradients() {
        List<INDArray> grads = new ArrayList<>(dynamics.ensemble().gradients());
        for (ResidualMlp net : residualNetworks()) {
            grads.addAll(net.gradients());
        }
        return grads;
    }

    // ------------------------------------------------------------------ inference

    /** p_d(o), row by row. */
    public double[][] encode(Domain d, double[][] obs) {
        return encoders[d.ordinal()].apply(obs);
    }

    /** q_d(z), row by row. */
    public double[][] decode(Domain d, double[][] z) {
        return decoders[d.ordinal()].apply(z);
    }

    /** m(z): a real latent carried to the sim latent of the same observation. */
    public double[][] mapToSim(double[][] z) {
        return mapping.apply(z);
    }

    /**
     * One step in observation space through the latent model: q_d(P(p_d(o), a)), each row with a random elite
     * (drawn from rng exactly as {@link DynamicsModel#step} draws them).
     */
    public void step(Domain d, double[][] obs, double[][] act, int n, boolean deterministic, SplittableRandom rng,
                     double[][] nextObsOut, double[] rewOut) {
        double[][] z = encode(d, obs);
        double[][] zNextOut = new double[n][];
        dynamics.step(z, act, n, deterministic, rng, zNextOut, rewOut);
        double[][] decoded = decode(d, zNextOut);
        System.arraycopy(decoded, 0, nextObsOut, 0, n);
    }

    /**
     * Rollouts in latent space for start states of domain d: z0 = p_d(o), stepped with the shared dynamics
     * (sampled, as MBPO samples), shown to the policy decoded by q_d.
     */
    public RolloutModel rolloutModel(Domain d) {
        return rolloutModel(d, true);
    }

    /**
     * As {@link #rolloutModel(Domain)}, stepping with a random elite's sampled prediction or, with
     * {@code sampled = false}, its mean: the latent model's predicted variance, decoded, can be far larger than
     * its error (docs/RESULTS.md: rollout fidelity), so its noise may hurt rollouts more than it helps.
     */
    public RolloutModel rolloutModel(Domain d, boolean sampled) {
        return new RolloutModel() {
            @Override
            public double[][] enter(double[][] obs) {
                return encode(d, obs);
            }

            @Override
            public double[][] observe(double[][] states) {
                return decode(d, states);
            }

            @Override
            public void step(double[][] states, double[][] act, int n, SplittableRandom rng, double[][] nextStates,
                             double[] rewOut) {
                dynamics.step(states, act, n, !sampled, rng, nextStates, rewOut);
            }
        };
    }

    // ------------------------------------------------------------------ checkpoints

    /** Saves every network, the dynamics' standardisation and elites, and the residual networks' scales. */
    public void save(Path file, long version) throws IOException {
        Checkpoint.save(file, CHECKPOINT_KIND, Map.of("version", version, "obsDim", obsDim, "actDim", actDim,
                "hidden", config.hidden(), "members", dynamics.ensemble().members()), checkpointArrays());
    }

    /** Loads a checkpoint of the same shape; returns the model version it recorded. */
    public long load(Path file) {
        Checkpoint.Loaded loaded = Checkpoint.load(file, CHECKPOINT_KIND);
        List<INDArray> arrays = checkpointArrays();
        loaded.restoreInto(arrays);
        int base = parameters().size();
        dynamics.inputStandardizer().restore(floats(arrays.get(base), 2 * (obsDim + actDim)));
        dynamics.targetStandardizer().restore(floats(arrays.get(base + 1), 2 * (obsDim + 1)));
        float[] elites = floats(arrays.get(base + 2), dynamics.elites().length);
        int[] e = new int[elites.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = (int) elites[i];
        }
        dynamics.setElites(e);
        obsScale = scale(dynamics, obsDim);
        for (ResidualMlp net : residualNetworks()) {
            net.rescale(centre(dynamics, obsDim), obsScale);
        }
        return ((Number) loaded.header().meta().get("version")).longValue();
    }

    private List<INDArray> checkpointArrays() {
        List<INDArray> arrays = new ArrayList<>(parameters());
        arrays.add(row(dynamics.inputStandardizer().state()));
        arrays.add(row(dynamics.targetStandardizer().state()));
        int[] elites = dynamics.elites();
        float[] e = new float[elites.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = elites[i];
        }
        arrays.add(row(e));
        return arrays;
    }

    private static INDArray row(float[] values) {
        INDArray a = F32.zeros(1, values.length);
        F32.view(a).put(0, values);
        return a;
    }
}
