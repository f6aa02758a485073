package io.sim2real.nn;

import java.util.IdentityHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Views of the first rows of buffers, made once per buffer and row count. Making an ND4J view allocates its shape
 * information off-heap (and a deallocator, and a random id): a training step that made its views anew on every
 * call allocated about half a megabyte. Training repeats one batch size, so one view per buffer is enough.
 * Not thread-safe: one per lane.
 */
final class RowViews {

    /** Callers may pass buffers of their own; past this many, the cache starts afresh rather than grow. */
    private static final int MAX_BUFFERS = 256;

    private final Map<INDArray, INDArray> views = new IdentityHashMap<>();

    /** The first {@code rows} rows of {@code matrix}, the matrix itself when it has exactly that many. */
    INDArray rows(INDArray matrix, int rows) {
        if (rows == matrix.rows()) {
            return matrix;
        }
        INDArray view = views.get(matrix);
        if (view == null || view.rows() != rows) {
            if (views.size() >= MAX_BUFFERS) {
                views.clear();
            }
            view = F32.rows(matrix, rows);
            views.put(matrix, view);
        }
        return view;
    }
}
