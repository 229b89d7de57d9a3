package dev.perfusion.djl.weights;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Weights that remember every tensor a model took, by key, in the order taken: a built model's parameter list. */
public final class RecordingWeights implements Weights {

    private final Weights inner;
    private final Map<String, NDArray> taken = new LinkedHashMap<>();

    public RecordingWeights(Weights inner) {
        this.inner = inner;
    }

    @Override
    public NDArray take(String key, long... shape) throws FileFormatException {
        NDArray array = inner.take(key, shape);
        taken.put(key, array);
        return array;
    }

    @Override
    public boolean contains(String key) {
        return inner.contains(key);
    }

    /** Every tensor taken, by key. */
    public Map<String, NDArray> taken() {
        return Collections.unmodifiableMap(taken);
    }
}
