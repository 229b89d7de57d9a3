package dev.perfusion.core.testing;

import dev.perfusion.core.edit.CovarianceEstimator;
import dev.perfusion.core.edit.CovarianceInverse;
import dev.perfusion.core.edit.TextCovariance;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/** Seeded random matrices and vectors for property tests, shared with backend tests through the test jar. */
public final class RandomData {

    private final SplittableRandom random;

    public RandomData(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public double gaussian() {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public double[] vector(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = gaussian();
        }
        return v;
    }

    public float[] floats(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) gaussian();
        }
        return v;
    }

    /** A matrix of (rows, cols) with entries of variance 1/cols, like an initialised projection. */
    public DMatrixRMaj projection(int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        double scale = 1.0 / Math.sqrt(cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = gaussian() * scale;
        }
        return m;
    }

    /**
     * Encodings with the anisotropy of real text encoders: a few strong shared directions over isotropic noise.
     * Returns {@code count} rows of width {@code dim}.
     */
    public float[] encodings(int count, int dim) {
        int factors = Math.max(1, dim / 8);
        double[][] basis = new double[factors][];
        for (int f = 0; f < factors; f++) {
            basis[f] = vector(dim);
        }
        float[] rows = new float[count * dim];
        for (int r = 0; r < count; r++) {
            for (int f = 0; f < factors; f++) {
                double z = gaussian() * 3.0 / (1 + f);
                for (int j = 0; j < dim; j++) {
                    rows[r * dim + j] += (float) (z * basis[f][j]);
                }
            }
            for (int j = 0; j < dim; j++) {
                rows[r * dim + j] += (float) (0.5 * gaussian());
            }
        }
        return rows;
    }

    /** {@code C^{-1}} estimated from twice as many random encodings as its width. */
    public CovarianceInverse covarianceInverse(int dim) {
        CovarianceEstimator estimator = new CovarianceEstimator(dim);
        int count = 2 * dim + 8;
        estimator.acceptRows(encodings(count, dim), 0, count);
        TextCovariance c = estimator.result();
        return c.inverse(TextCovariance.DEFAULT_RELATIVE_RIDGE);
    }
}
