package dev.perfusion.djl.train;

import ai.djl.ndarray.NDManager;

/**
 * One model being trained, for {@link TrainingLoop}: its parameters and the loss of one step's batch. The batch of
 * step {@code s} must be a function of the run's seed and {@code s} alone, so that a resumed run sees the same
 * batches as one that never stopped.
 */
public interface TrainingTask {

    /** The stage name progress is reported under, such as "vae". */
    String name();

    /** What the optimiser updates. */
    Parameters parameters();

    /**
     * The loss of step {@code step}'s batch, computed on {@code manager} while gradients are recorded; the loop
     * runs backward on it.
     */
    ai.djl.ndarray.NDArray loss(NDManager manager, long step);
}
