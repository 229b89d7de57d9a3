package dev.perfusion.djl.weights;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;

/**
 * Where a model's tensors come from while it is built, by their diffusers names: a checkpoint file
 * ({@link WeightStore}), or a fresh initialisation for training ({@link InitialWeights}).
 */
public interface Weights {

    /**
     * The float32 tensor under {@code key}, which must have {@code shape}.
     *
     * @throws FileFormatException naming the key when a checkpoint lacks it or holds it in another shape or type
     */
    NDArray take(String key, long... shape) throws FileFormatException;

    /** Whether a tensor is stored under {@code key}; an initialisation stores none and answers false. */
    boolean contains(String key);

    /** These weights with {@code prefix} put before every key, for a component stored inside a larger file. */
    default Weights under(String prefix) {
        Weights outer = this;
        return new Weights() {
            @Override
            public NDArray take(String key, long... shape) throws FileFormatException {
                return outer.take(prefix + key, shape);
            }

            @Override
            public boolean contains(String key) {
                return outer.contains(prefix + key);
            }
        };
    }
}
