package io.sim2real.model.probe;

import io.sim2real.contracts.messages.GapMeasurement.Pairing;
import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.nn.calibration.DomainClassifiers;
import io.sim2real.nn.calibration.TransitionRows;
import io.sim2real.nn.latent.Transitions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The ground-truth calibration published beside the probe's G (docs/METHOD.md): on counterfactual pairs, the mean
 * one-step discrepancy in the run's fixed units and DARC's domain classifiers with real side (o, a, o'_real) and sim
 * side (o, a, f_sim(o, a)); on unpaired data (no pairs), the classifiers on the run's newest real and sim
 * transitions. Runs on the calling thread; CPU seconds are that thread's.
 */
public final class Calibration {

    /**
     * One round's values.
     *
     * @param discrepancy    mean counterfactual discrepancy (null for unpaired)
     * @param klNats         the classifiers' KL(P_real ‖ P_sim) estimate
     * @param auc            AUC of the (s, a, s') classifier on held-out rows
     * @param stateActionAuc AUC of the (s, a) classifier (0.5 expected for pairs)
     * @param rows           rows of each side used
     */
    public record Values(Pairing pairing, long round, Double discrepancy, double klNats, double auc,
                         double stateActionAuc, int rows, double cpuSeconds) {
    }

    private Calibration() {
    }

    /**
     * On counterfactual pairs (the newest {@code maxRows}), with the run's discrepancy units (or, before they are
     * fixed, the pairs' own sim changes).
     */
    public static Values counterfactual(Transitions sim, Transitions real, CounterfactualDiscrepancy units,
                                        int maxRows, long round, long seed) {
        long start = cpuNanos();
        Transitions s = sim.tail(maxRows);
        Transitions r = real.tail(maxRows);
        CounterfactualDiscrepancy u = units != null ? units : CounterfactualDiscrepancy.fromChanges(s.obs(), s.nextObs());
        double discrepancy = u.measure(r.nextObs(), s.nextObs()).mean();
        DomainClassifiers.Report c = DomainClassifiers.train(TransitionRows.of(r), TransitionRows.of(s),
                DomainClassifiers.Config.defaults(seed)).report();
        return new Values(Pairing.COUNTERFACTUAL, round, discrepancy, c.klNats(), c.auc(), c.stateActionAuc(),
                r.size(), (cpuNanos() - start) / 1e9);
    }

    /** On the run's own newest sim and real transitions (from different states). */
    public static Values unpaired(Transitions sim, Transitions real, int maxRows, long round, long seed) {
        long start = cpuNanos();
        Transitions s = sim.tail(maxRows);
        Transitions r = real.tail(maxRows);
        DomainClassifiers.Report c = DomainClassifiers.train(TransitionRows.of(r), TransitionRows.of(s),
                DomainClassifiers.Config.defaults(seed)).report();
        return new Values(Pairing.UNPAIRED, round, null, c.klNats(), c.auc(), c.stateActionAuc(),
                Math.min(r.size(), s.size()), (cpuNanos() - start) / 1e9);
    }

    private static long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    }
}
