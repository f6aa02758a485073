package io.sim2real.model.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.messages.GapMeasurement.Pairing;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import org.junit.jupiter.api.Test;

/** A probe round's calibration on a full window (5,000 real MuJoCo pairs): its values and its CPU cost. */
class CalibrationTest {

    private static Transitions side(double[][] obs, double[][] act, double[][] next) {
        return new Transitions(obs, act, new double[obs.length], next);
    }

    @Test
    void shouldSeparateGravityOneAndAHalfFromTheSimulatorOnAFullWindowInAboutASecond() {
        MujocoPairs g = MujocoPairs.collect(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.5), 5000, 16, 7);
        MujocoPairs same = MujocoPairs.collect(DomainPhysics.neutral(), 5000, 16, 8);
        Calibration.Values gap = Calibration.counterfactual(side(g.obs(), g.act(), g.simNext()),
                side(g.obs(), g.act(), g.realNext()), null, 5000, 1, 1);
        Calibration.Values none = Calibration.counterfactual(side(same.obs(), same.act(), same.simNext()),
                side(same.obs(), same.act(), same.realNext()), null, 5000, 1, 1);
        Calibration.Values unpaired = Calibration.unpaired(side(same.obs(), same.act(), same.realNext()),
                side(g.obs(), g.act(), g.realNext()), 5000, 1, 1);
        System.out.printf("calibration on 5,000 pairs: gravity 1.5 %s%n  identical %s%n  unpaired %s%n", gap, none, unpaired);
        assertEquals(Pairing.COUNTERFACTUAL, gap.pairing());
        assertTrue(gap.discrepancy() > 1e-3 && none.discrepancy() < 1e-12, gap + " / " + none);
        assertTrue(gap.auc() > 0.6 && Math.abs(none.auc() - 0.5) < 0.05, gap + " / " + none);
        assertTrue(gap.klNats() > none.klNats(), gap + " / " + none);
        assertNull(unpaired.discrepancy());
        assertTrue(gap.cpuSeconds() > 0 && gap.cpuSeconds() < 10, "well under the probe's own ~6 CPU s: " + gap);
    }
}
