package dev.perfusion.api.spi;

import dev.perfusion.api.Concept;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.TrainingRequest;
import java.io.IOException;

/** A backend's concept training. */
@FunctionalInterface
public interface TrainingService {

    /**
     * Trains one concept.
     *
     * @throws IOException when an image or mask cannot be read
     */
    Concept train(TrainingRequest request, ProgressListener listener) throws IOException;
}
