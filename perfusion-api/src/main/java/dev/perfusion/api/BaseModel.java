package dev.perfusion.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which text-to-image model concepts are trained on and generated with.
 *
 * @param kind     how the model is stored
 * @param location the folder or file on disk; empty for the embedded model
 */
public record BaseModel(Kind kind, Optional<Path> location) {

    /** How a base model is stored. */
    public enum Kind {
        /** The small model shipped inside the SDK, for offline use on a laptop CPU. */
        EMBEDDED,
        /** A diffusers folder: {@code model_index.json} with one sub-folder per component. */
        DIFFUSERS,
        /** One original Stable Diffusion 1.x checkpoint in safetensors form. */
        SINGLE_FILE
    }

    public BaseModel {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
        if ((kind == Kind.EMBEDDED) != location.isEmpty()) {
            throw new IllegalArgumentException(kind == Kind.EMBEDDED
                    ? "the embedded model has no location" : kind + " base model needs a location");
        }
    }

    /** The SDK's own small model. */
    public static BaseModel embedded() {
        return new BaseModel(Kind.EMBEDDED, Optional.empty());
    }

    /** A diffusers folder, such as a local copy of Stable Diffusion 1.5. */
    public static BaseModel diffusers(Path folder) {
        return new BaseModel(Kind.DIFFUSERS, Optional.of(folder));
    }

    /** A single-file original checkpoint ({@code .safetensors}). */
    public static BaseModel singleFile(Path checkpoint) {
        return new BaseModel(Kind.SINGLE_FILE, Optional.of(checkpoint));
    }

    @Override
    public String toString() {
        return location.map(p -> kind + " " + p).orElse(kind.toString());
    }
}
