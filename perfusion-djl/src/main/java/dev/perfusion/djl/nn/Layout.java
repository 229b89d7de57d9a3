package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Memory-layout operations DJL's NDArray API lacks. */
public final class Layout {

    private static final TorchScriptFunction CONTIGUOUS = TorchScriptFunction.of(List.of("x"), "x.contiguous()");

    private Layout() {
    }

    /**
     * {@code x} laid out row-major (a copy when it is a strided view), as PyTorch's {@code contiguous()}. A permuted
     * view fed to a convolution would otherwise switch it, and every layer after it, to channels-last kernels.
     */
    public static NDArray contiguous(NDArray x) {
        return CONTIGUOUS.apply(x);
    }
}
