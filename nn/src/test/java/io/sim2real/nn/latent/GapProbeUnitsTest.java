package io.sim2real.nn.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sim2real.nn.HalfCheetahData;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import org.junit.jupiter.api.Test;

/** The probe's fixed units are what their documentation says: random-policy HalfCheetah data, seed 0. */
class GapProbeUnitsTest {

    @Test
    void shouldBeTheStandardDeviationsOfRandomPolicySimData() {
        double[] measured = GapProbe.measureScale(HalfCheetahData.random(DomainPhysics.neutral(),
                GapProbe.SCALE_ROWS, GapProbe.SCALE_ENVS, GapProbe.SCALE_SEED));
        StringBuilder s = new StringBuilder();
        for (double v : measured) {
            s.append(String.format(java.util.Locale.ROOT, "%.4g, ", v));
        }
        System.out.println("scale: " + s);
        for (int j = 0; j < measured.length; j++) {
            assertEquals(measured[j], GapProbe.HALF_CHEETAH_SCALE[j], 1e-3 * measured[j], "dimension " + j + ": " + s);
        }
    }
}
