package dev.perfusion.api.spi;

import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.ProgressListener;

/** A backend's text-to-image sampling. */
@FunctionalInterface
public interface GenerationService {

    GenerationResult generate(GenerationRequest request, ProgressListener listener);
}
