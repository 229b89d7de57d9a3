package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.Weights;

/** Layer normalisation over the last dimension with a learned scale and shift, like PyTorch's {@code nn.LayerNorm}. */
public final class LayerNorm {

    private final NDArray weight;
    private final NDArray bias;
    private final float eps;

    public LayerNorm(NDArray weight, NDArray bias, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    public static LayerNorm load(Weights store, String key, long width, double eps) throws FileFormatException {
        return new LayerNorm(store.take(key + ".weight", width), store.take(key + ".bias", width), (float) eps);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
    }
}
