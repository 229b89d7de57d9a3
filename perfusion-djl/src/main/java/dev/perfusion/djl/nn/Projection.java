package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;

/** A map of token features (..., in) to (..., out): a plain {@link Linear} or an edited projection. */
@FunctionalInterface
public interface Projection {

    NDArray forward(NDArray x);
}
