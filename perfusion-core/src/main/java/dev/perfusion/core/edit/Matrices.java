package dev.perfusion.core.edit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/** Conversions between EJML matrices and the plain arrays edits are described with. */
final class Matrices {

    private Matrices() {
    }

    /** The given vectors as the columns of a matrix. */
    static DMatrixRMaj columns(double[][] vectors, int height, String what) {
        DMatrixRMaj m = new DMatrixRMaj(height, vectors.length);
        for (int c = 0; c < vectors.length; c++) {
            if (vectors[c].length != height) {
                throw new IllegalArgumentException(
                        what + " " + c + " has " + vectors[c].length + " values, expected " + height);
            }
            for (int r = 0; r < height; r++) {
                m.set(r, c, vectors[c][r]);
            }
        }
        return m;
    }

    /** Largest Gram condition number (of the unit-diagonal form) still treated as independent inputs. */
    static final double MAX_CONDITION = 1e10;

    /**
     * The inverse of a Gram matrix, or an exception when its vectors are (numerically) linearly dependent: the
     * condition number of its unit-diagonal form is above {@link #MAX_CONDITION}.
     */
    static DMatrixRMaj invertGram(DMatrixRMaj gram, String what) {
        int n = gram.numRows;
        DMatrixRMaj correlation = new DMatrixRMaj(n, n);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                correlation.set(a, b, gram.get(a, b) / Math.sqrt(gram.get(a, a) * gram.get(b, b)));
            }
        }
        double condition = NormOps_DDRM.conditionP2(correlation);
        DMatrixRMaj inverse = gram.copy();
        if (!(condition < MAX_CONDITION) || !CommonOps_DDRM.invert(inverse)) {
            throw new IllegalArgumentException(what + " are linearly dependent in the C^{-1} metric (condition "
                    + String.format(java.util.Locale.ROOT, "%.3g", condition) + ")");
        }
        return inverse;
    }

    static DMatrixRMaj column(double[] v) {
        return new DMatrixRMaj(v.length, 1, true, v);
    }

    static float[] toFloat(DMatrixRMaj m) {
        float[] out = new float[m.getNumElements()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) m.data[i];
        }
        return out;
    }
}
