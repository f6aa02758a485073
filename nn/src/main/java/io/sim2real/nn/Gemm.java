package io.sim2real.nn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * C = op(A) op(B) on row-major float matrices (or row-major views of their first rows).
 *
 * <p>On ND4J's CPU backend this calls OpenBLAS's {@code cblas_sgemm} directly on ND4J's buffers, the same library
 * ND4J itself calls. {@link Nd4j#gemm} adds 10-20 µs per call (an op object, shape buffers allocated off-heap), which
 * is about 1.5 ms of a 7-member training step's 105 products (docs/BENCHMARKS.md). Other backends (CUDA) go through
 * {@link Nd4j#gemm}; so does the CPU backend with {@code -Dsim2real.nn.nd4j-gemm=true}, for comparison.
 */
final class Gemm {

    private static final boolean DIRECT = !Boolean.getBoolean("sim2real.nn.nd4j-gemm")
            && "CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName());

    private Gemm() {
    }

    static void gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        if (!DIRECT) {
            Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
            return;
        }
        int m = (int) (transposeA ? a.columns() : a.rows());
        int k = (int) (transposeA ? a.rows() : a.columns());
        int kb = (int) (transposeB ? b.columns() : b.rows());
        int n = (int) (transposeB ? b.rows() : b.columns());
        if (k != kb || c.rows() != m || c.columns() != n) {
            throw new IllegalArgumentException("gemm shapes do not match: " + describe(a, transposeA) + " x "
                    + describe(b, transposeB) + " -> " + c.rows() + "x" + c.columns());
        }
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transposeA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transposeB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, pointer(a), leadingDimension(a), pointer(b), leadingDimension(b), 0f, pointer(c),
                leadingDimension(c));
    }

    /** Whether products call {@code cblas_sgemm} directly (ND4J's CPU backend) rather than {@link Nd4j#gemm}. */
    static boolean direct() {
        return DIRECT;
    }

    /**
     * C = A op(B) on row-major blocks given by address: A is m x k with rows {@code lda} floats apart, op(B) k x n,
     * C m x n with rows {@code ldc} apart; the offsets count floats from each buffer's start. For the inference
     * blocks of {@link EnsembleMlp}, which would otherwise make an ND4J view (off-heap shape data) per block and
     * layer. Only when {@link #direct()}.
     */
    static void gemm(FloatPointer a, long aOffset, int lda, FloatPointer b, int ldb, boolean transposeB,
                     FloatPointer c, long cOffset, int ldc, int m, int n, int k) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                transposeB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans, m, n, k, 1f,
                new FloatPointer(a).position(aOffset), lda, b, ldb, 0f, new FloatPointer(c).position(cOffset), ldc);
    }

    /** A pointer to an array's first element (a view's buffer already starts at the view's offset). */
    static FloatPointer address(INDArray a) {
        return pointer(a);
    }

    /** The distance in floats between the rows of a row-major matrix with contiguous rows. */
    static int rowStride(INDArray a) {
        return leadingDimension(a);
    }

    /** A view's buffer already starts at the view's offset (GemmTest checks views that start past row 0). */
    private static FloatPointer pointer(INDArray a) {
        return new FloatPointer(a.data().addressPointer());
    }

    /** The row stride of a row-major matrix whose rows are contiguous; anything else is refused. */
    private static int leadingDimension(INDArray a) {
        if (a.rank() == 2 && a.rows() == 1 && a.ordering() == 'c') {
            return (int) a.columns(); // ND4J gives a single row the strides [1, 1]
        }
        if (a.rank() != 2 || a.ordering() != 'c' || a.stride(1) != 1 || a.stride(0) < a.columns()) {
            throw new IllegalArgumentException("gemm needs a row-major matrix with contiguous rows, got shape "
                    + java.util.Arrays.toString(a.shape()) + " strides " + java.util.Arrays.toString(a.stride())
                    + " order " + a.ordering());
        }
        return (int) a.stride(0);
    }

    private static String describe(INDArray a, boolean transposed) {
        return a.rows() + "x" + a.columns() + (transposed ? "^T" : "");
    }
}
