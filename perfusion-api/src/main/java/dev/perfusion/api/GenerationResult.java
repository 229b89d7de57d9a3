package dev.perfusion.api;

import java.time.Duration;
import java.util.List;

/**
 * The images of one {@link GenerationRequest}, in batch order.
 *
 * @param request the request served
 * @param images  one per batch entry
 * @param elapsed wall time of the generation
 */
public record GenerationResult(GenerationRequest request, List<GeneratedImage> images, Duration elapsed) {

    public GenerationResult {
        images = List.copyOf(images);
    }
}
