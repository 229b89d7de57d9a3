package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Activations the model code needs beyond DJL's. */
public final class Activations {

    private Activations() {
    }

    /** SiLU (swish): {@code x * sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }
}
