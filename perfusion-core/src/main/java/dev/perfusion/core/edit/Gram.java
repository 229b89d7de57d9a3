package dev.perfusion.core.edit;

import dev.perfusion.api.MultiConceptMode;
import org.ejml.data.DMatrixRMaj;

/**
 * How the concepts of one joint edit share the removal of their inputs, from the Gram matrix
 * {@code G = I*^T C^{-1} I*} of their inputs in the {@code C^{-1}} metric: the coefficients {@code A} such that the
 * removed part of an input {@code e} is {@code W I* A (C^{-1} I*)^T e}. For {@link MultiConceptMode#EXACT}, {@code A}
 * is {@code G^{-1}} (the metric-orthogonal projection onto the inputs' span); for
 * {@link MultiConceptMode#APPROXIMATE}, {@code diag(1/g_c)} (each concept removes its own component).
 */
public final class Gram {

    private Gram() {
    }

    /**
     * The removal coefficients of a joint edit.
     *
     * @param gram {@code G}, n x n, row-major
     * @throws IllegalArgumentException when an input has no energy in the metric, or (exact form) the inputs are
     *                                  linearly dependent
     */
    public static double[][] removal(double[][] gram, MultiConceptMode mode) {
        int n = gram.length;
        DMatrixRMaj g = new DMatrixRMaj(gram);
        for (int c = 0; c < n; c++) {
            if (!(gram[c][c] > 0)) {
                throw new IllegalArgumentException("concept input " + c + " has no energy in the C^{-1} metric ("
                        + gram[c][c] + "): is i* zero?");
            }
        }
        double[][] out = new double[n][n];
        if (mode == MultiConceptMode.APPROXIMATE) {
            for (int c = 0; c < n; c++) {
                out[c][c] = 1 / gram[c][c];
            }
            return out;
        }
        DMatrixRMaj inverse = Matrices.invertGram(g, "the concept inputs (use APPROXIMATE mode)");
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                out[a][b] = inverse.get(a, b);
            }
        }
        return out;
    }
}
