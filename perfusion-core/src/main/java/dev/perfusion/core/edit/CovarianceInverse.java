package dev.perfusion.core.edit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * {@code C^{-1}}: the metric in which Perfusion measures how much a token resembles a concept, with the ridge it
 * was regularised by.
 */
public final class CovarianceInverse {

    private final DMatrixRMaj matrix;
    private final double ridge;
    private final double relativeRidge;

    /**
     * Wraps a symmetric positive definite matrix.
     *
     * @param ridge         the absolute ridge that was added to C before inverting
     * @param relativeRidge the same, relative to C's mean eigenvalue
     */
    public CovarianceInverse(DMatrixRMaj matrix, double ridge, double relativeRidge) {
        if (matrix.numRows != matrix.numCols) {
            throw new IllegalArgumentException(
                    "inverse covariance must be square, got " + matrix.numRows + "x" + matrix.numCols);
        }
        this.matrix = matrix.copy();
        this.ridge = ridge;
        this.relativeRidge = relativeRidge;
    }

    public int dim() {
        return matrix.numRows;
    }

    public double ridge() {
        return ridge;
    }

    public double relativeRidge() {
        return relativeRidge;
    }

    /** A copy of the matrix. */
    public DMatrixRMaj matrix() {
        return matrix.copy();
    }

    /** {@code C^{-1} M} for a matrix {@code M} with {@link #dim()} rows. */
    DMatrixRMaj times(DMatrixRMaj m) {
        DMatrixRMaj out = new DMatrixRMaj(matrix.numRows, m.numCols);
        CommonOps_DDRM.mult(matrix, m, out);
        return out;
    }
}
