package dev.perfusion.core.edit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The uncentred covariance {@code C} of a base model's text encodings, and how many encodings it was estimated
 * from.
 */
public final class TextCovariance {

    /** The ridge used unless a caller picks another: 1e-4 of C's mean eigenvalue. */
    public static final double DEFAULT_RELATIVE_RIDGE = 1e-4;

    private final DMatrixRMaj matrix;
    private final long count;

    /** Wraps a symmetric matrix; {@code count} is the number of encodings behind it. */
    public TextCovariance(DMatrixRMaj matrix, long count) {
        if (matrix.numRows != matrix.numCols) {
            throw new IllegalArgumentException(
                    "covariance must be square, got " + matrix.numRows + "x" + matrix.numCols);
        }
        this.matrix = matrix.copy();
        this.count = count;
    }

    public int dim() {
        return matrix.numRows;
    }

    public long count() {
        return count;
    }

    /** A copy of {@code C}. */
    public DMatrixRMaj matrix() {
        return matrix.copy();
    }

    /**
     * {@code (C + lambda I)^{-1}} with {@code lambda = relativeRidge * trace(C) / dim}, computed by Cholesky.
     *
     * @throws IllegalStateException when the regularised matrix is still not positive definite
     */
    public CovarianceInverse inverse(double relativeRidge) {
        if (!(relativeRidge >= 0) || Double.isInfinite(relativeRidge)) {
            throw new IllegalArgumentException("relative ridge must be finite and >= 0, got " + relativeRidge);
        }
        int d = dim();
        double lambda = relativeRidge * CommonOps_DDRM.trace(matrix) / d;
        DMatrixRMaj regularised = matrix.copy();
        for (int i = 0; i < d; i++) {
            regularised.add(i, i, lambda);
        }
        LinearSolverDense<DMatrixRMaj> cholesky = LinearSolverFactory_DDRM.chol(d);
        if (!cholesky.setA(regularised)) {
            throw new IllegalStateException("the text covariance (" + d + "x" + d + ", from " + count
                    + " encodings) is not positive definite with ridge " + relativeRidge
                    + "; use more encodings than its width or a larger ridge");
        }
        DMatrixRMaj inverse = new DMatrixRMaj(d, d);
        cholesky.invert(inverse);
        return new CovarianceInverse(inverse, lambda, relativeRidge);
    }
}
