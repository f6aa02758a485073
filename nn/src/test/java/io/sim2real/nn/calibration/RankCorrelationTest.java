package io.sim2real.nn.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankCorrelationTest {

    @Test
    void shouldBeOneForAnyIncreasingRelation() {
        double[] x = {0.1, 0.5, 2, 7, 30};
        double[] y = {1, 2, 40, 41, 1e6};
        assertEquals(1.0, RankCorrelation.spearman(x, y), 1e-15);
    }

    @Test
    void shouldBeMinusOneForAReversedOrder() {
        assertEquals(-1.0, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {9, 5, 1, -3}), 1e-15);
    }

    @Test
    void shouldGiveTiesTheirAverageRank() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, RankCorrelation.averageRanks(new double[] {1, 2, 2, 3}));
        assertArrayEquals(new double[] {3, 1.5, 1.5}, RankCorrelation.averageRanks(new double[] {5, 0, 0}));
        // x ranks 1, 2.5, 2.5, 4 against y ranks 1, 2, 3, 4: Pearson of the ranks is 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
        assertEquals(Math.sqrt(0.9), RankCorrelation.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}), 1e-12);
    }

    @Test
    void shouldMatchTheClassicalFormulaWithoutTies() {
        // rho = 1 - 6 sum d^2 / (n (n^2 - 1)); ranks of y: 2, 1, 4, 3, 5 -> d^2 sum = 1 + 1 + 1 + 1 + 0 = 4
        double rho = RankCorrelation.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {20, 10, 40, 30, 50});
        assertEquals(1 - 6.0 * 4 / (5 * 24), rho, 1e-12);
    }

    @Test
    void shouldBeUndefinedForAConstantSide() {
        assertTrue(Double.isNaN(RankCorrelation.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    }

    @Test
    void shouldComputeTheAucAsTheProbabilityOfRankingAPositiveFirst() {
        assertEquals(1.0, RankCorrelation.auc(new double[] {3, 4}, new double[] {1, 2}), 1e-15);
        assertEquals(0.0, RankCorrelation.auc(new double[] {1, 2}, new double[] {3, 4}), 1e-15);
        assertEquals(0.5, RankCorrelation.auc(new double[] {1, 1}, new double[] {1, 1}), 1e-15);
        // pairs (pos, neg): (2,1) win, (2,3) loss, (4,1) win, (4,3) win -> 3 / 4
        assertEquals(0.75, RankCorrelation.auc(new double[] {2, 4}, new double[] {1, 3}), 1e-15);
        // a tie counts one half: (2,2) 0.5, (2,1) 1 -> 0.75
        assertEquals(0.75, RankCorrelation.auc(new double[] {2}, new double[] {2, 1}), 1e-15);
    }

    @Test
    void shouldRefuseBadInput() {
        assertThrows(IllegalArgumentException.class, () -> RankCorrelation.spearman(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RankCorrelation.spearman(new double[] {1}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RankCorrelation.spearman(new double[] {1, Double.NaN}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> RankCorrelation.auc(new double[0], new double[] {1}));
    }
}
