package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.WeightStore;

/** Group normalisation of (batch, channels, ...) with per-channel scale and shift, like {@code nn.GroupNorm}. */
public final class GroupNorm {

    private final int groups;
    private final float eps;
    private final NDArray weight;
    private final NDArray bias;
    /** Unit scale and zero shift for the per-group normalisation, by normalised width; owned by the weights' manager. */
    private final java.util.Map<Long, NDArray[]> identity = new java.util.concurrent.ConcurrentHashMap<>();

    public GroupNorm(int groups, double eps, NDArray weight, NDArray bias) {
        long channels = weight.getShape().get(0);
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = (float) eps;
        this.weight = weight.reshape(1, channels, 1, 1);
        this.bias = bias.reshape(1, channels, 1, 1);
    }

    public static GroupNorm load(WeightStore store, String key, int groups, long channels, double eps)
            throws FileFormatException {
        return new GroupNorm(groups, eps, store.take(key + ".weight", channels), store.take(key + ".bias", channels));
    }

    /** {@code x}: (batch, channels, height, width). */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        long width = grouped.getShape().get(2);
        NDArray[] unit = identity.computeIfAbsent(width, w -> new NDArray[] {
            weight.getManager().ones(new Shape(w)), weight.getManager().zeros(new Shape(w))});
        NDArray normalized = ai.djl.nn.norm.LayerNorm.layerNorm(grouped, new Shape(width), unit[0], unit[1], eps)
                .singletonOrThrow();
        return normalized.reshape(shape).mul(weight).add(bias);
    }
}
