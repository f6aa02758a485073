package io.sim2real.nn;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * float32 arrays in ND4J's off-heap memory, and direct views of them for element-wise work in Java.
 * Matrix products go to ND4J's BLAS; activations, losses and optimiser steps loop over these views,
 * which allocates nothing and avoids one native call per element-wise operation.
 */
public final class F32 {

    /**
     * Threads ND4J's native operations may use ({@code -Dsim2real.nd4j.threads}, default 1). Our matrices are small
     * (batches of hundreds of rows): on 2 cores, OpenMP's spinning threads made a latent-model step 2.5 times
     * slower than one thread (docs/BENCHMARKS.md). Parallelism comes from ensemble lanes instead.
     */
    public static final int ND4J_THREADS = Integer.getInteger("sim2real.nd4j.threads", 1);

    static {
        Nd4j.getEnvironment().setMaxMasterThreads(ND4J_THREADS);
        Nd4j.getEnvironment().setMaxThreads(ND4J_THREADS);
        Nd4j.factory().blas().setMaxThreads(ND4J_THREADS);
    }

    private F32() {
    }

    /** A zero-filled row-major matrix. */
    public static INDArray zeros(long rows, long cols) {
        return Nd4j.create(DataType.FLOAT, new long[] {rows, cols}, 'c');
    }

    /** A direct view of a contiguous row-major array, element 0 at position 0. */
    public static FloatBuffer view(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c') {
            throw new IllegalArgumentException("expected a row-major float32 array, got " + a.dataType() + " " + a.ordering());
        }
        FloatBuffer all = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        int offset = (int) a.offset();
        return all.position(offset).limit(offset + (int) a.length()).slice();
    }

    /** Rows [start, start + count) of a row-major matrix, as an ND4J view (contiguous, no copy). */
    public static INDArray rowRange(INDArray matrix, long start, long count) {
        if (start == 0) {
            return rows(matrix, count);
        }
        return matrix.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + count),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
    }

    /** The first {@code rows} rows of a row-major matrix, as an ND4J view (contiguous, no copy). */
    public static INDArray rows(INDArray matrix, long rows) {
        if (rows == matrix.rows()) {
            return matrix;
        }
        return matrix.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows), org.nd4j.linalg.indexing.NDArrayIndex.all());
    }
}
