package dev.perfusion.api.spi;

import dev.perfusion.api.Judge;
import java.util.Optional;

/**
 * A base model opened on a tensor engine: the native resources behind training and generation. Closing it frees
 * them; a closed backend rejects further work.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name. */
    String name();

    /** The device in use, such as "cpu()" or "gpu(0)". */
    String device();

    /**
     * The fingerprint of the open base model: a hash of the text encoder and cross-attention weights, which a concept
     * records so that it is used only with the model it was trained on.
     */
    String fingerprint();

    /** Trains concepts on this backend's model. */
    TrainingService training();

    /** Generates images with this backend's model. */
    GenerationService generation();

    /**
     * The judge that scores images of this model, where the model ships one (the embedded model does); the caller
     * does not close it, the backend does.
     */
    default Optional<Judge> judge() {
        return Optional.empty();
    }

    @Override
    void close();
}
