package dev.perfusion.djl.weights;

/** Helpers for checkpoints that name the same tensor in more than one way. */
public final class Keys {

    private Keys() {
    }

    /** {@code key} if the store has {@code key + suffix}, else {@code legacy}. */
    public static String either(Weights store, String key, String legacy, String suffix) {
        return store.contains(key + suffix) || !store.contains(legacy + suffix) ? key : legacy;
    }
}
