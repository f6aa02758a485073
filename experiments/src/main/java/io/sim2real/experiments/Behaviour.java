package io.sim2real.experiments;

import io.sim2real.physics.halfcheetah.ScriptedGait;
import java.util.Locale;
import java.util.SplittableRandom;

/** Behaviour policies that collect datasets without a learned policy. */
public enum Behaviour {
    /** Uniform random actions: poor, wide coverage of the joint angles, little forward motion. */
    RANDOM,
    /** The scripted bounding gait: moves forward, narrow coverage. */
    GAIT,
    /** The gait plus Gaussian action noise (std 0.3, clipped): forward motion with broader coverage. */
    NOISY_GAIT;

    public double[] action(long step, SplittableRandom random) {
        double[] a = new double[6];
        if (this == RANDOM) {
            for (int j = 0; j < a.length; j++) {
                a[j] = 2 * random.nextDouble() - 1;
            }
            return a;
        }
        double[] gait = ScriptedGait.action(step);
        for (int j = 0; j < a.length; j++) {
            double noise = this == NOISY_GAIT ? 0.3 * random.nextGaussian() : 0;
            a[j] = Math.max(-1, Math.min(1, gait[j] + noise));
        }
        return a;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Behaviour fromWire(String value) {
        for (Behaviour b : values()) {
            if (b.wireName().equals(value)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown behaviour '" + value + "' (random, gait, noisy-gait)");
    }
}
