package dev.perfusion.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a backend needs to train one concept; built by {@link KeyLockTrainer}.
 *
 * @param name          the concept's name
 * @param supercategory its everyday word
 * @param images        the user's photos, 1 or more (3 to 20 recommended)
 * @param masks         a folder of masks named like the images, if the user has them
 * @param options       how to train
 */
public record TrainingRequest(String name, String supercategory, List<Path> images, Optional<Path> masks,
        TrainingOptions options) {

    public TrainingRequest {
        Concept.requireValidName(name);
        if (supercategory == null || supercategory.isBlank()) {
            throw new IllegalArgumentException("concept <" + name + "> needs a supercategory word, such as \"cat\"");
        }
        images = List.copyOf(images);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("concept <" + name + "> needs at least one image");
        }
        Objects.requireNonNull(masks, "masks");
        Objects.requireNonNull(options, "options");
    }
}
