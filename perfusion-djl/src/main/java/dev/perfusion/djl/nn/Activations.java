package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Activations the model code needs beyond DJL's. */
public final class Activations {

    private static final TorchScriptFunction SILU = TorchScriptFunction.of(List.of("x"), "torch.silu(x)");

    private Activations() {
    }

    /** SiLU (swish): {@code x * sigmoid(x)}, by PyTorch's single kernel. */
    public static NDArray silu(NDArray x) {
        return SILU.apply(x);
    }
}
