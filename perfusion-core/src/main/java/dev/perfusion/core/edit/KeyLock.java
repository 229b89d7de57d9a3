package dev.perfusion.core.edit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The key lock: a concept's key target in a layer is the key of its supercategory word, {@code W_k i_s}, so the
 * concept is attended to wherever its supercategory would be.
 */
public final class KeyLock {

    private KeyLock() {
    }

    /** {@code W_k i_s} for a key projection {@code W_k} of shape (out, in). */
    public static double[] target(DMatrixRMaj keyProjection, double[] supercategoryInput) {
        if (keyProjection.numCols != supercategoryInput.length) {
            throw new IllegalArgumentException("key projection takes " + keyProjection.numCols
                    + " inputs but i_s has " + supercategoryInput.length);
        }
        DMatrixRMaj out = new DMatrixRMaj(keyProjection.numRows, 1);
        CommonOps_DDRM.mult(keyProjection, Matrices.column(supercategoryInput), out);
        return out.data;
    }
}
