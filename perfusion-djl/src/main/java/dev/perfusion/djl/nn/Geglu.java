package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.WeightStore;

/**
 * diffusers' {@code GEGLU}: a projection to twice the inner width whose first half is gated by the exact GELU of its
 * second half. The projection is held as its two halves (row views of the checkpoint's weight, so nothing is copied)
 * and applied as two products. Each half then comes out contiguous, where splitting one wide product would leave two
 * strided views: the gate and its gradient then run on dense memory, and backward needs no split to reassemble.
 */
public final class Geglu {

    private final Linear hidden;
    private final Linear gate;

    /**
     * @param weight the projection, (2 * inner, in): hidden rows first, then gate rows
     * @param bias its bias, (2 * inner)
     */
    public Geglu(NDArray weight, NDArray bias) {
        long inner = weight.getShape().get(0) / 2;
        this.hidden = new Linear(weight.get("0:" + inner), bias.get("0:" + inner));
        this.gate = new Linear(weight.get(inner + ":"), bias.get(inner + ":"));
    }

    /** Loads {@code <key>.weight} (2 * inner, in) and {@code <key>.bias}. */
    public static Geglu load(WeightStore store, String key, long in, long inner) throws FileFormatException {
        return new Geglu(store.take(key + ".weight", inner * 2, in), store.take(key + ".bias", inner * 2));
    }

    /** {@code (x W_h^T + b_h) * gelu(x W_g^T + b_g)}. */
    public NDArray forward(NDArray x) {
        return hidden.forward(x).mul(Activation.gelu(gate.forward(x)));
    }
}
