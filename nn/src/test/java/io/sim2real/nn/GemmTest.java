package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The direct product against a plain triple loop, on whole matrices and on row views that start past row 0. */
class GemmTest {

    @ParameterizedTest(name = "A^T {0}, B^T {1}, A starts at row {2}")
    @CsvSource({"false,false,0", "true,false,0", "false,true,0", "false,false,3", "false,true,5", "true,false,2"})
    void shouldMatchATripleLoop(boolean transposeA, boolean transposeB, int firstRow) {
        int m = 7;
        int k = 5;
        int n = 4;
        SplittableRandom random = new SplittableRandom(firstRow * 31L + (transposeA ? 2 : 0) + (transposeB ? 1 : 0));
        INDArray storeA = random(firstRow + (transposeA ? k : m), transposeA ? m : k, random);
        INDArray a = storeA.get(NDArrayIndex.interval(firstRow, storeA.rows()), NDArrayIndex.all());
        INDArray b = random(transposeB ? n : k, transposeB ? k : n, random);
        INDArray c = F32.zeros(m, n);
        F32.view(c).put(0, 42f);

        Gemm.gemm(a, transposeA, b, transposeB, c);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double expected = 0;
                for (int p = 0; p < k; p++) {
                    double aip = transposeA ? a.getDouble(p, i) : a.getDouble(i, p);
                    double bpj = transposeB ? b.getDouble(j, p) : b.getDouble(p, j);
                    expected += aip * bpj;
                }
                assertEquals(expected, c.getDouble(i, j), 1e-5, "C[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void shouldRefuseShapesThatDoNotMultiply() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.gemm(F32.zeros(3, 4), false, F32.zeros(5, 2), false, F32.zeros(3, 2)));
        assertTrue(e.getMessage().contains("3x4 x 5x2"), e.getMessage());
    }

    private static INDArray random(int rows, int cols, SplittableRandom random) {
        INDArray a = F32.zeros(rows, cols);
        FloatBuffer v = F32.view(a);
        for (int i = 0; i < rows * cols; i++) {
            v.put(i, (float) random.nextDouble(-1, 1));
        }
        return a;
    }
}
