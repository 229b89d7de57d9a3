package dev.perfusion.djl.weights;

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
