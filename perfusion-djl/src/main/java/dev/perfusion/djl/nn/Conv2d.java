package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.Weights;

/** A 2-D convolution with square kernel, stride and padding, like PyTorch's {@code nn.Conv2d}. */
public final class Conv2d {

    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** Loads {@code <key>.weight} of shape (out, in, k, k) and {@code <key>.bias}. */
    public static Conv2d load(Weights store, String key, long in, long out, int kernel, int stride, int padding)
            throws FileFormatException {
        return new Conv2d(store.take(key + ".weight", out, in, kernel, kernel), store.take(key + ".bias", out),
                stride, padding);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), 1)
                .singletonOrThrow();
    }
}
