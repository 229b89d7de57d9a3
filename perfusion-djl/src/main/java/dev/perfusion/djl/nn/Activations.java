package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Activations the model code needs beyond DJL's. */
public final class Activations {

    private static final TorchScriptFunction SILU = TorchScriptFunction.of(List.of("x"), "torch.silu(x)");

    private static final TorchScriptFunction GEGLU = TorchScriptFunction.of(List.of("x"),
            "torch.chunk(x, 2, -1)[0] * torch.gelu(torch.chunk(x, 2, -1)[1])");

    private Activations() {
    }

    /** SiLU (swish): {@code x * sigmoid(x)}, by PyTorch's single kernel. */
    public static NDArray silu(NDArray x) {
        return SILU.apply(x);
    }

    /** GEGLU: the first half of the last axis, gated by the exact GELU of the second half. */
    public static NDArray geglu(NDArray x) {
        return GEGLU.apply(x);
    }
}
