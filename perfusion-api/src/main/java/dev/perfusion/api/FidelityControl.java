package dev.perfusion.api;

import java.util.Objects;

/**
 * The inference-time knob of one concept: how much of the concept's likeness to put into an image, against how
 * closely the image follows the rest of the prompt. Nothing is retrained; only the concept's gates move.
 *
 * <p>Most callers use {@link #of(Concept, double)} with a fidelity in [0, 1]: 0 favours the prompt, 1 favours the
 * photos, and 0.5 gives the paper's default gate. Experts set the key and value gates directly with
 * {@link #explicit(String, Gate, Gate)}.
 */
public sealed interface FidelityControl permits FidelityControl.Level, FidelityControl.Explicit {

    /** The name of the concept this control applies to. */
    String concept();

    /** A fidelity level in [0, 1] for the given concept. */
    static FidelityControl of(Concept concept, double fidelity) {
        return new Level(Objects.requireNonNull(concept, "concept").name(), fidelity);
    }

    /** A fidelity level in [0, 1] for the concept of the given name. */
    static FidelityControl of(String concept, double fidelity) {
        return new Level(concept, fidelity);
    }

    /** Explicit gates for the key and the value projections of the given concept. */
    static FidelityControl explicit(String concept, Gate key, Gate value) {
        return new Explicit(concept, key, value);
    }

    /**
     * A fidelity level.
     *
     * @param concept  the concept's name
     * @param fidelity in [0, 1]; higher keeps more of the concept's likeness
     */
    record Level(String concept, double fidelity) implements FidelityControl {
        public Level {
            Concept.requireValidName(concept);
            if (!(fidelity >= 0 && fidelity <= 1)) {
                throw new IllegalArgumentException(
                        "fidelity of concept <" + concept + "> must be in [0, 1], got " + fidelity);
            }
        }
    }

    /**
     * Gates given outright.
     *
     * @param concept the concept's name
     * @param key     the gate of the key projections (where the concept is attended to)
     * @param value   the gate of the value projections (what is painted there)
     */
    record Explicit(String concept, Gate key, Gate value) implements FidelityControl {
        public Explicit {
            Concept.requireValidName(concept);
            Objects.requireNonNull(key, "key gate");
            Objects.requireNonNull(value, "value gate");
        }
    }
}
