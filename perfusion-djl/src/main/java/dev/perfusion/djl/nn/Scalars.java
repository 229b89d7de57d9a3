package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that stays correct while gradients are recorded.
 *
 * <p>DJL's {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number in a tensor made over a Java direct
 * buffer (libtorch's {@code from_blob}, no copy), and close that tensor as soon as the product is made. Autograd keeps
 * the scalar tensor for the backward pass, but the buffer under it belongs to the closed Java array, and the garbage
 * collector frees it: a backward pass after a collection reads freed memory, and gradients come out wrong or NaN
 * (seen here in contrastive training). These helpers make the constant with {@code full}, in libtorch's own memory,
 * which autograd's reference keeps alive.
 */
public final class Scalars {

    private Scalars() {
    }

    /** {@code x * value}. */
    public static NDArray times(NDArray x, double value) {
        try (NDArray constant = x.getManager().full(new Shape(), (float) value, x.getDataType())) {
            return x.mul(constant);
        }
    }

    /** {@code x / value}. */
    public static NDArray over(NDArray x, double value) {
        try (NDArray constant = x.getManager().full(new Shape(), (float) value, x.getDataType())) {
            return x.div(constant);
        }
    }
}
