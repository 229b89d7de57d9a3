package dev.perfusion.api.spi;

import dev.perfusion.api.Concept;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import java.util.function.BooleanSupplier;

/** A backend's concept training. */
@FunctionalInterface
public interface TrainingService {

    /**
     * Trains one concept.
     *
     * @param cancelled polled between steps; when true, training stops with
     *                  {@link java.util.concurrent.CancellationException}
     */
    Concept train(TrainingRequest request, ProgressListener listener, BooleanSupplier cancelled);

    /**
     * The options a trainer starts from on this backend's model: the method's recipe scaled to the model. Default:
     * {@link TrainingOptions#defaults()}, the Stable Diffusion 1.5 recipe.
     */
    default TrainingOptions recommendedOptions() {
        return TrainingOptions.defaults();
    }
}
