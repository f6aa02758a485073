package io.sim2real.nn.latent;

/**
 * A multivariate Gaussian fitted to a cloud of points (sample mean and covariance), and the KL divergence between
 * two fits. A small ridge (1e-6 of the mean variance) keeps near-constant dimensions from making a covariance
 * singular.
 */
public final class GaussianFit {

    private final double[] mean;
    /** Lower Cholesky factor of the covariance. */
    private final double[][] chol;
    private final double logDet;

    private GaussianFit(double[] mean, double[][] chol) {
        this.mean = mean;
        this.chol = chol;
        double ld = 0;
        for (int i = 0; i < chol.length; i++) {
            ld += 2 * Math.log(chol[i][i]);
        }
        this.logDet = ld;
    }

    /** Fits rows {@code from} (inclusive) to {@code to} (exclusive) of points. */
    public static GaussianFit of(double[][] points, int from, int to) {
        int n = to - from;
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 points to fit a Gaussian, got " + n);
        }
        int d = points[from].length;
        double[] mean = new double[d];
        for (int r = from; r < to; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += points[r][j] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (int r = from; r < to; r++) {
            for (int i = 0; i < d; i++) {
                double di = points[r][i] - mean[i];
                for (int j = 0; j <= i; j++) {
                    cov[i][j] += di * (points[r][j] - mean[j]) / (n - 1);
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += cov[i][i];
        }
        double ridge = Math.max(1e-12, 1e-6 * trace / d);
        for (int i = 0; i < d; i++) {
            cov[i][i] += ridge;
            for (int j = 0; j < i; j++) {
                cov[j][i] = cov[i][j];
            }
        }
        return new GaussianFit(mean, cholesky(cov));
    }

    public static GaussianFit of(double[][] points) {
        return of(points, 0, points.length);
    }

    /** KL(this || other) = 1/2 [tr(S_o^-1 S_t) + (mu_o - mu_t)' S_o^-1 (mu_o - mu_t) - d + ln det S_o - ln det S_t]. */
    public double klTo(GaussianFit other) {
        int d = mean.length;
        // tr(S_o^-1 S_t) = |L_o^-1 L_t|_F^2
        double trace = 0;
        double[] column = new double[d];
        for (int c = 0; c < d; c++) {
            for (int r = 0; r < d; r++) {
                column[r] = r >= c ? chol[r][c] : 0;
            }
            double[] solved = other.solveLower(column);
            for (double v : solved) {
                trace += v * v;
            }
        }
        double[] diff = new double[d];
        for (int j = 0; j < d; j++) {
            diff[j] = other.mean[j] - mean[j];
        }
        double mahalanobis = 0;
        for (double v : other.solveLower(diff)) {
            mahalanobis += v * v;
        }
        return 0.5 * (trace + mahalanobis - d + other.logDet - logDet);
    }

    private double[] solveLower(double[] b) {
        int d = b.length;
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= chol[i][k] * x[k];
            }
            x[i] = s / chol[i][i];
        }
        return x;
    }

    private static double[][] cholesky(double[][] a) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException("covariance is not positive definite (or not finite)");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }
}
