package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.Weights;

/**
 * diffusers' {@code GEGLU}: a projection to twice the inner width whose first half is gated by the exact GELU of its
 * second half. The projection is applied as two products over row views of the checkpoint's weight, taken at each
 * call (a view copies nothing, and so stays tied to the weight when the weight is trained). Each half then comes out
 * contiguous, where splitting one wide product would leave two strided views: the gate and its gradient then run on
 * dense memory, and backward needs no split to reassemble.
 */
public final class Geglu {

    private final NDArray weight;
    private final NDArray bias;
    private final String hiddenRows;
    private final String gateRows;

    /**
     * @param weight the projection, (2 * inner, in): hidden rows first, then gate rows
     * @param bias its bias, (2 * inner)
     */
    public Geglu(NDArray weight, NDArray bias) {
        long inner = weight.getShape().get(0) / 2;
        this.weight = weight;
        this.bias = bias;
        this.hiddenRows = "0:" + inner;
        this.gateRows = inner + ":";
    }

    /** Loads {@code <key>.weight} (2 * inner, in) and {@code <key>.bias}. */
    public static Geglu load(Weights store, String key, long in, long inner) throws FileFormatException {
        return new Geglu(store.take(key + ".weight", inner * 2, in), store.take(key + ".bias", inner * 2));
    }

    /** {@code (x W_h^T + b_h) * gelu(x W_g^T + b_g)}. */
    public NDArray forward(NDArray x) {
        NDArray hidden = ai.djl.nn.core.Linear.linear(x, view(weight, hiddenRows, x), view(bias, hiddenRows, x))
                .singletonOrThrow();
        NDArray gate = ai.djl.nn.core.Linear.linear(x, view(weight, gateRows, x), view(bias, gateRows, x))
                .singletonOrThrow();
        return hidden.mul(Activation.gelu(gate));
    }

    /** Rows of a parameter as a view owned by the call's manager, so its handle goes with the call's arrays. */
    private static NDArray view(NDArray parameter, String rows, NDArray x) {
        NDArray view = parameter.get(rows);
        view.attach(x.getManager());
        return view;
    }
}
