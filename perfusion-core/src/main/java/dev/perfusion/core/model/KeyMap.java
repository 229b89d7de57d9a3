package dev.perfusion.core.model;

import dev.perfusion.core.safetensors.SafeTensorsReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How a model's tensor names (diffusers' layout) are found in a checkpoint file: a diffusers component file uses
 * them as they are (perhaps under a prefix); an original single-file checkpoint uses the LDM layout.
 */
public interface KeyMap {

    /** The file's key for the model's {@code key}. */
    String fileKey(String key);

    /** Whether the file stores this linear weight as a 1x1 convolution, (out, in, 1, 1). */
    default boolean storedAsConv1x1(String key) {
        return false;
    }

    /** The prefix of the file keys that belong to this component, for the unused-key check. */
    default String scope() {
        return "";
    }

    /**
     * Keys under {@code prefix} if any tensor of {@code file} carries it, else as they are (transformers 4 writes
     * {@code text_model.}, version 5 does not).
     */
    static KeyMap optionalPrefix(Path file, String prefix) throws IOException {
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            boolean prefixed = reader.tensors().keySet().stream().anyMatch(k -> k.startsWith(prefix));
            return prefixed(prefixed ? prefix : "");
        }
    }

    /** Keys under a fixed prefix. */
    static KeyMap prefixed(String prefix) {
        return new KeyMap() {
            @Override
            public String fileKey(String key) {
                return prefix + key;
            }

            @Override
            public String scope() {
                return prefix;
            }
        };
    }
}
