package dev.perfusion.core.edit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The ungated rank-one (rank-n for n concepts) model edit of which Perfusion's gated edit is the nonlinear form:
 * {@code W' = W + (O* - W I*) (I*^T C^{-1} I*)^{-1} (C^{-1} I*)^T}. It maps every {@code i*_c} exactly to its
 * {@code o*_c} and leaves every input {@code C^{-1}}-orthogonal to all of them unchanged.
 */
public final class RankOneUpdate {

    private RankOneUpdate() {
    }

    /**
     * The edited matrix.
     *
     * @param w       the projection, shape (out, in)
     * @param inverse {@code C^{-1}}, (in, in)
     * @param inputs  {@code i*_c}, each of width in
     * @param outputs {@code o*_c}, each of width out
     */
    public static DMatrixRMaj edit(DMatrixRMaj w, CovarianceInverse inverse, double[][] inputs, double[][] outputs) {
        if (inputs.length == 0 || inputs.length != outputs.length) {
            throw new IllegalArgumentException(
                    "need as many targets as inputs, at least one; got " + inputs.length + " and " + outputs.length);
        }
        DMatrixRMaj iStar = Matrices.columns(inputs, w.numCols, "input");
        DMatrixRMaj oStar = Matrices.columns(outputs, w.numRows, "output");
        DMatrixRMaj probe = inverse.times(iStar);
        DMatrixRMaj gram = new DMatrixRMaj(inputs.length, inputs.length);
        CommonOps_DDRM.multTransA(iStar, probe, gram);
        gram = Matrices.invertGram(gram, "the concept inputs");
        DMatrixRMaj residual = new DMatrixRMaj(w.numRows, inputs.length);
        CommonOps_DDRM.mult(w, iStar, residual);
        CommonOps_DDRM.subtract(oStar, residual, residual);
        DMatrixRMaj scaled = new DMatrixRMaj(w.numRows, inputs.length);
        CommonOps_DDRM.mult(residual, gram, scaled);
        DMatrixRMaj edited = w.copy();
        CommonOps_DDRM.multAddTransB(scaled, probe, edited);
        return edited;
    }
}
