package io.sim2real.nn;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-column mean and standard deviation, fitted on data, applied in place ((x - mean) / std). */
public final class Standardizer {

    private static final double MIN_STD = 1e-6;

    private final float[] mean;
    private final float[] std;

    public Standardizer(int columns) {
        mean = new float[columns];
        std = new float[columns];
        java.util.Arrays.fill(std, 1f);
    }

    public int columns() {
        return mean.length;
    }

    /** Fits on the first {@code rows} rows. */
    public void fit(INDArray data, int rows) {
        FloatBuffer v = F32.view(data);
        int c = mean.length;
        double[] sum = new double[c];
        double[] sq = new double[c];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < c; j++) {
                double x = v.get(r * c + j);
                sum[j] += x;
                sq[j] += x * x;
            }
        }
        for (int j = 0; j < c; j++) {
            double m = sum[j] / rows;
            double var = Math.max(0, sq[j] / rows - m * m);
            mean[j] = (float) m;
            std[j] = (float) Math.max(Math.sqrt(var), MIN_STD);
        }
    }

    public void transform(INDArray data, int rows) {
        FloatBuffer v = F32.view(data);
        int c = mean.length;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < c; j++) {
                int i = r * c + j;
                v.put(i, (v.get(i) - mean[j]) / std[j]);
            }
        }
    }

    public float mean(int column) {
        return mean[column];
    }

    public float std(int column) {
        return std[column];
    }

    public float[] state() {
        float[] s = new float[2 * mean.length];
        System.arraycopy(mean, 0, s, 0, mean.length);
        System.arraycopy(std, 0, s, mean.length, std.length);
        return s;
    }

    public void restore(float[] state) {
        System.arraycopy(state, 0, mean, 0, mean.length);
        System.arraycopy(state, mean.length, std, 0, std.length);
    }
}
