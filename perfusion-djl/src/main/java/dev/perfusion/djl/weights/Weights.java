package dev.perfusion.djl.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

    /**
     * These weights as copies on {@code manager} that own their memory, for weights read from a file that training
     * will update in place: a {@link WeightStore}'s arrays view the file's read-only mapped bytes, and an in-place
     * update of them crashes the engine.
     */
    default Weights copied(NDManager manager) {
        Weights outer = this;
        return new Weights() {
            @Override
            public NDArray take(String key, long... shape) throws FileFormatException {
                try (NDArray stored = outer.take(key, shape)) {
                    NDArray copy = stored.duplicate();
                    copy.attach(manager);
                    return copy;
                }
            }

            @Override
            public boolean contains(String key) {
                return outer.contains(key);
            }
        };
    }

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
