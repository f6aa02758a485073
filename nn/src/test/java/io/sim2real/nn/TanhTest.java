package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rational tanh behind SiLU and tanh layers, against the JDK's double-precision functions. */
class TanhTest {

    @Test
    void shouldMatchMathTanhWithinSevenUlpEverywhere() {
        double worstAbs = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i * 1e-5f;
            double exact = Math.tanh(x);
            double error = Math.abs(Activation.tanh(x) - exact);
            worstAbs = Math.max(worstAbs, error);
            // Measured worst: 6.6 ulp (3.9e-7) at x = -5.77 over this grid; past the clamp the result is exactly ±1.
            assertTrue(error <= 7 * Math.ulp((float) exact), "tanh(" + x + "): " + Activation.tanh(x) + " vs " + exact);
        }
        assertTrue(worstAbs < 4e-7, "worst absolute error " + worstAbs);
    }

    @Test
    void shouldSaturateToPlusOrMinusOneAndStayOdd() {
        for (float x : new float[] {8f, 20f, 1e6f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertEquals(1f, Activation.tanh(x), 1e-6f, "tanh(" + x + ")");
            assertEquals(-1f, Activation.tanh(-x), 1e-6f, "tanh(-" + x + ")");
        }
        for (float x : new float[] {1e-30f, 1e-3f, 0.7f, 3.3f}) {
            assertEquals(-Activation.tanh(x), Activation.tanh(-x), 0f);
        }
        assertEquals(0f, Activation.tanh(0f), 0f);
    }

    @Test
    void shouldGiveTheSigmoidWithinAnAbsoluteErrorOfQuarterOfAMillionth() {
        for (int i = -400_000; i <= 400_000; i++) {
            float x = i * 1e-4f;
            double exact = 1 / (1 + Math.exp(-x));
            // Absolute, not relative: (1 + tanh(x / 2)) / 2 loses the relative precision of tiny values (about 3 %
            // at x = -12), which does not matter to a hidden unit whose output is x times it. Measured worst: 2.3e-7.
            assertEquals(exact, Activation.sigmoid(x), 2.5e-7, "sigmoid(" + x + ")");
        }
    }

    @Test
    void shouldPassNaNThroughSoABadInputIsNotHidden() {
        assertTrue(Float.isNaN(Activation.tanh(Float.NaN)));
        assertTrue(Float.isNaN(Activation.sigmoid(Float.NaN)));
    }
}
