package dev.perfusion.djl.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.djl.testing.EngineScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ContrastiveTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final float[][] A = {{1, 0, 0}, {0.6f, 0.8f, 0}, {0, 1, 1}};
    private static final float[][] B = {{2, 0.5f, 0}, {0, 1, 0.2f}, {0.1f, 0.3f, 1}};
    private static final float[][] N = {{1, 0.1f, 0}, {0.5f, 0.9f, 0.1f}, {1, 0, 0}};
    private static final double SCALE = 3.0;

    private static double[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / Math.sqrt(norm);
        }
        return out;
    }

    private static double logit(float[] x, float[] y) {
        double[] u = unit(x);
        double[] w = unit(y);
        double dot = 0;
        for (int i = 0; i < u.length; i++) {
            dot += u[i] * w[i];
        }
        return SCALE * dot;
    }

    /** The NegCLIP loss written out term by term in doubles. */
    private static double expected(boolean withNegatives) {
        int n = A.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double columnSum = 0;
            for (int j = 0; j < n; j++) {
                rowSum += Math.exp(logit(A[i], B[j]));
                columnSum += Math.exp(logit(A[j], B[i]));
                if (withNegatives) {
                    rowSum += Math.exp(logit(A[i], N[j]));
                }
            }
            double positive = logit(A[i], B[i]);
            total += positive - Math.log(rowSum) + positive - Math.log(columnSum);
        }
        return -total / (2 * n);
    }

    private static NDArray matrix(NDManager m, float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    @Test
    void theLossWithHardNegativesMatchesEachRowAmongPositivesAndNegativesAndEachColumnAmongRows() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray scale = m.create(new float[] {(float) Math.log(SCALE)});

            double plain = Contrastive.loss(matrix(m, A), matrix(m, B), scale).getFloat();
            double hard = Contrastive.loss(matrix(m, A), matrix(m, B), matrix(m, N), scale).getFloat();

            assertThat(plain).isCloseTo(expected(false), within(1e-5));
            assertThat(hard).isCloseTo(expected(true), within(1e-5));
            assertThat(hard).isGreaterThan(plain);
        }
    }
}
