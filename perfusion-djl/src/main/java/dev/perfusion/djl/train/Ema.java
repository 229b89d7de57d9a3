package dev.perfusion.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * An exponential moving average of a model's parameters, the weights diffusion models are usually shipped with:
 * {@code shadow = decay * shadow + (1 - decay) * weight} after every optimiser step, with the decay warmed up as
 * {@code min(decay, (1 + t) / (10 + t))} so early averages do not remember the initialisation.
 */
public final class Ema implements AutoCloseable {

    private final Parameters model;
    private final Parameters shadow;
    private final NDManager manager;
    private final double decay;
    private long updates;

    public Ema(Parameters model, NDManager parent, double decay) {
        this.model = model;
        this.manager = parent.newSubManager();
        this.shadow = model.copy(manager);
        this.decay = decay;
    }

    /** The averaged parameters, by the same names. */
    public Parameters shadow() {
        return shadow;
    }

    /** Folds the current weights in. */
    public void update() {
        updates++;
        float d = (float) Math.min(decay, (1.0 + updates) / (10.0 + updates));
        for (Map.Entry<String, NDArray> e : shadow.arrays().entrySet()) {
            NDArray weight = model.arrays().get(e.getKey());
            try (NDArray difference = weight.sub(e.getValue()); NDArray step = difference.mul(1 - d)) {
                e.getValue().addi(step);
            }
        }
    }

    public long updates() {
        return updates;
    }

    /** Continues an average that had seen {@code count} updates, after its shadow was loaded. */
    public void resume(long count) {
        this.updates = count;
    }

    @Override
    public void close() {
        manager.close();
    }
}
