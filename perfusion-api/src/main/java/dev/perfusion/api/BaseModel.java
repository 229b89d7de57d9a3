package dev.perfusion.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which text-to-image model concepts are trained on and generated with.
 *
 * @param kind       how the model is stored
 * @param location   the folder or file on disk; empty for the embedded model
 * @param components for a single-file checkpoint, which holds weights only: a diffusers folder with its
 *                   tokenizer and component configs; empty otherwise
 */
public record BaseModel(Kind kind, Optional<Path> location, Optional<Path> components) {

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
        Objects.requireNonNull(components, "components");
        if ((kind == Kind.SINGLE_FILE) != components.isPresent()) {
            throw new IllegalArgumentException(kind == Kind.SINGLE_FILE
                    ? "a single-file checkpoint holds weights only: give the folder with its tokenizer and configs"
                    : kind + " base model takes no components folder");
        }
        if ((kind == Kind.EMBEDDED) != location.isEmpty()) {
            throw new IllegalArgumentException(kind == Kind.EMBEDDED
                    ? "the embedded model has no location" : kind + " base model needs a location");
        }
    }

    /** The SDK's own small model. */
    public static BaseModel embedded() {
        return new BaseModel(Kind.EMBEDDED, Optional.empty(), Optional.empty());
    }

    /** A diffusers folder, such as a local copy of Stable Diffusion 1.5. */
    public static BaseModel diffusers(Path folder) {
        return new BaseModel(Kind.DIFFUSERS, Optional.of(folder), Optional.empty());
    }

    /**
     * A single-file original checkpoint ({@code .safetensors}) with the diffusers folder that holds its tokenizer
     * and component configs ({@code tokenizer/}, {@code text_encoder/config.json}, {@code unet/config.json},
     * {@code vae/config.json}, {@code scheduler/scheduler_config.json}).
     */
    public static BaseModel singleFile(Path checkpoint, Path components) {
        return new BaseModel(Kind.SINGLE_FILE, Optional.of(checkpoint), Optional.of(components));
    }

    @Override
    public String toString() {
        return location.map(p -> kind + " " + p).orElse(kind.toString());
    }
}
