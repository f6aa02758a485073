package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** FastMath against the JDK's double-precision functions. */
class FastMathTest {

    @Test
    void shouldMatchMathTanhWithinSevenUlpEverywhere() {
        double worstAbs = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i * 1e-5f;
            double exact = Math.tanh(x);
            double error = Math.abs(FastMath.tanh(x) - exact);
            worstAbs = Math.max(worstAbs, error);
            // Measured worst: 6.6 ulp (3.9e-7) at x = -5.77 over this grid; past the clamp the result is exactly ±1.
            assertTrue(error <= 7 * Math.ulp((float) exact), "tanh(" + x + "): " + FastMath.tanh(x) + " vs " + exact);
        }
        assertTrue(worstAbs < 4e-7, "worst absolute error " + worstAbs);
    }

    @Test
    void shouldSaturateToPlusOrMinusOneAndStayOdd() {
        for (float x : new float[] {8f, 20f, 1e6f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertEquals(1f, FastMath.tanh(x), 1e-6f, "tanh(" + x + ")");
            assertEquals(-1f, FastMath.tanh(-x), 1e-6f, "tanh(-" + x + ")");
        }
        for (float x : new float[] {1e-30f, 1e-3f, 0.7f, 3.3f}) {
            assertEquals(-FastMath.tanh(x), FastMath.tanh(-x), 0f);
        }
        assertEquals(0f, FastMath.tanh(0f), 0f);
    }

    @Test
    void shouldGiveTheSigmoidWithinAnAbsoluteErrorOfQuarterOfAMillionth() {
        for (int i = -400_000; i <= 400_000; i++) {
            float x = i * 1e-4f;
            double exact = 1 / (1 + Math.exp(-x));
            // Absolute, not relative: (1 + tanh(x / 2)) / 2 loses the relative precision of tiny values (about 3 %
            // at x = -12), which does not matter to a hidden unit whose output is x times it. Measured worst: 2.3e-7.
            assertEquals(exact, FastMath.sigmoid(x), 2.5e-7, "sigmoid(" + x + ")");
        }
    }

    @Test
    void shouldPassNaNThroughSoABadInputIsNotHidden() {
        assertTrue(Float.isNaN(FastMath.tanh(Float.NaN)));
        assertTrue(Float.isNaN(FastMath.sigmoid(Float.NaN)));
    }

    @Test
    void shouldGiveSoftplusWithinThreeInTenMillionFromHugeNegativeToHugePositive() {
        for (int i = -3_000_000; i <= 3_000_000; i++) {
            float x = i * 1e-5f;
            double exact = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs((double) x)));
            double error = Math.abs(FastMath.softplus(x) - exact);
            assertTrue(error <= 3e-7 + 1e-7 * Math.abs(x), "softplus(" + x + "): " + FastMath.softplus(x) + " vs " + exact);
        }
        assertEquals(1e6f, FastMath.softplus(1e6f), 0f);
        assertEquals(0f, FastMath.softplus(-1e6f), 3e-7f);
        assertTrue(Float.isNaN(FastMath.softplus(Float.NaN)));
    }

    @Test
    void shouldGiveTheSameValuesInBulkAsOneByOne() {
        int n = 1001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i - 500) * 0.037f;
        }
        float[] softplus = new float[n];
        float[] sigmoid = new float[n];
        FastMath.softplus(x, softplus, n);
        FastMath.sigmoid(x, sigmoid, n);
        for (int i = 0; i < n; i++) {
            assertEquals(FastMath.softplus(x[i]), softplus[i], 1e-7f, "softplus(" + x[i] + ")");
            assertEquals(FastMath.sigmoid(x[i]), sigmoid[i], 0f, "sigmoid(" + x[i] + ")");
        }
    }
}
