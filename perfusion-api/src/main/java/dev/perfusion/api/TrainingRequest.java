package dev.perfusion.api;

import java.util.List;
import java.util.Objects;

/**
 * Everything a backend needs to train one concept; built by a {@link KeyLockTrainer.Job}.
 *
 * @param name          the concept's name
 * @param supercategory its everyday word
 * @param images        the user's photos, 1 to {@value #MAX_IMAGES} (3 to 20 recommended)
 * @param options       how to train
 */
public record TrainingRequest(String name, String supercategory, List<TrainingImage> images,
        TrainingOptions options) {

    /** Most photos one concept may be trained from. */
    public static final int MAX_IMAGES = 100;

    public TrainingRequest {
        Concept.requireValidName(name);
        if (supercategory == null || supercategory.isBlank()) {
            throw new IllegalArgumentException("concept <" + name + "> needs a supercategory word, such as \"cat\"");
        }
        images = List.copyOf(images);
        if (images.isEmpty() || images.size() > MAX_IMAGES) {
            throw new IllegalArgumentException("concept <" + name + "> needs 1 to " + MAX_IMAGES
                    + " images (3 to 20 recommended), got " + images.size());
        }
        Objects.requireNonNull(options, "options");
    }
}
