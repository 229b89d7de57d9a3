package dev.perfusion.core.train;

import java.util.List;

/**
 * The prompt templates a concept is trained with when the caller gives none; {@code {}} is the concept's place.
 * Written for this SDK, in the manner of the templates textual inversion and Perfusion train with.
 */
public final class Templates {

    /** For photographs, with Stable Diffusion models. */
    public static final List<String> PHOTO = List.of(
            "a photo of a {}", "a photo of the {}", "a close-up photo of a {}", "a picture of a {}",
            "a photo of my {}", "a good photo of a {}", "a cropped photo of the {}", "a bright photo of a {}",
            "a dark photo of the {}", "a photo of a small {}", "a photo of a large {}", "a rendering of a {}",
            "an image of a {}", "a photo of one {}", "a clean photo of the {}", "a photo of the nice {}");

    /** In the words of the embedded model's world, which knows no others. */
    public static final List<String> WORLD = List.of(
            "a {}", "a photo of a {}", "there is a {}", "a small {}", "a large {}", "a medium {}",
            "a photo of a large {}", "there is a small {}");

    private Templates() {
    }
}
