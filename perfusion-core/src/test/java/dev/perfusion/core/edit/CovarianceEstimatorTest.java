package dev.perfusion.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.perfusion.core.testing.RandomData;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class CovarianceEstimatorTest {

    @Test
    void streamingInUnevenChunksEqualsTheBatchSecondMoment() {
        int dim = 12;
        int count = 700;
        float[] rows = new RandomData(7).encodings(count, dim);
        CovarianceEstimator estimator = new CovarianceEstimator(dim);
        int done = 0;
        int chunk = 1;
        while (done < count) {
            int n = Math.min(chunk, count - done);
            estimator.acceptRows(rows, done * dim, n);
            done += n;
            chunk = chunk * 3 % 301 + 1;
        }

        TextCovariance c = estimator.result();

        assertThat(c.count()).isEqualTo(count);
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < dim; b++) {
                double expected = 0;
                for (int r = 0; r < count; r++) {
                    expected += (double) rows[r * dim + a] * rows[r * dim + b];
                }
                expected /= count;
                assertThat(c.matrix().get(a, b)).isCloseTo(expected, within(1e-9 * Math.abs(expected) + 1e-12));
            }
        }
    }

    @Test
    void regularisedInverseTimesRegularisedCovarianceIsIdentity() {
        int dim = 40;
        CovarianceEstimator estimator = new CovarianceEstimator(dim);
        estimator.acceptRows(new RandomData(3).encodings(300, dim), 0, 300);
        TextCovariance c = estimator.result();
        CovarianceInverse inverse = c.inverse(1e-3);

        double lambda = 1e-3 * CommonOps_DDRM.trace(c.matrix()) / dim;
        assertThat(inverse.ridge()).isCloseTo(lambda, within(1e-15));
        DMatrixRMaj regularised = c.matrix();
        for (int i = 0; i < dim; i++) {
            regularised.add(i, i, lambda);
        }
        DMatrixRMaj product = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.mult(inverse.matrix(), regularised, product);
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < dim; b++) {
                assertThat(product.get(a, b)).isCloseTo(a == b ? 1 : 0, within(1e-9));
            }
        }
    }

    @Test
    void tooFewEncodingsWithoutRidgeAreReportedAsNotPositiveDefinite() {
        CovarianceEstimator estimator = new CovarianceEstimator(16);
        estimator.acceptRows(new RandomData(1).encodings(4, 16), 0, 4);
        assertThatThrownBy(() -> estimator.result().inverse(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("from 4 encodings")
                .hasMessageContaining("not positive definite");
    }

    @Test
    void nonFiniteEncodingsAreRejectedWithTheirPosition() {
        CovarianceEstimator estimator = new CovarianceEstimator(3);
        estimator.accept(new float[] {1, 2, 3});
        assertThatThrownBy(() -> estimator.accept(new float[] {1, Float.NaN, 3}))
                .hasMessageContaining("encoding 1 has a non-finite value NaN at 1");
    }

    @Test
    void emptyEstimatorHasNoCovariance() {
        assertThatThrownBy(() -> new CovarianceEstimator(3).result()).hasMessageContaining("no encodings");
    }

    @Test
    void movingAverageStartsAtTheFirstBatchMeanThenDecays() {
        EmaVector ema = new EmaVector(2, 0.99);
        ema.update(new float[] {1, 2, 3, 4}, 2);
        assertThat(ema.value()).containsExactly(2, 3);
        ema.update(new float[] {12, 13}, 1);
        assertThat(ema.value()).containsExactly(new double[] {0.99 * 2 + 0.01 * 12, 0.99 * 3 + 0.01 * 13},
                within(1e-12));
        assertThat(ema.updates()).isEqualTo(2);
    }
}
