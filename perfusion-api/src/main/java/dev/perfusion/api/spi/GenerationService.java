package dev.perfusion.api.spi;

import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.ProgressListener;

/** A backend's text-to-image sampling. Must be safe to call from several threads at once. */
@FunctionalInterface
public interface GenerationService {

    GenerationResult generate(GenerationJob job, ProgressListener listener);
}
