package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.Weights;

/** {@code y = x W^T + b}, with {@code W} stored as (out, in), computed by PyTorch's fused {@code linear}. */
public final class Linear implements Projection {

    private final NDArray weight;
    private final NDArray bias;

    public Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code <key>.weight} and, if {@code withBias}, {@code <key>.bias}. */
    public static Linear load(Weights store, String key, long in, long out, boolean withBias)
            throws FileFormatException {
        return new Linear(store.take(key + ".weight", out, in), withBias ? store.take(key + ".bias", out) : null);
    }

    /** The weight, (out, in), for edits that need it. */
    public NDArray weight() {
        return weight;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
