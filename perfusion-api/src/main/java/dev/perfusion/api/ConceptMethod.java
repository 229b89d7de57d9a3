package dev.perfusion.api;

import java.util.Locale;

/**
 * How a concept was trained. Perfusion is the method of this SDK; the two others are baselines trained by the same
 * trainer with one switch, kept to measure what the key lock and the rank-one edit buy.
 */
public enum ConceptMethod {
    /** Key-locked rank-one editing: the token embedding and per-layer value targets are trained, keys are locked. */
    PERFUSION,
    /** Textual inversion: only the token embedding is trained; no layer is edited. */
    TEXTUAL_INVERSION,
    /** The same rank-one edit without the key lock: key targets are trained too, as Custom Diffusion trains keys. */
    TRAINED_KEYS;

    /** The name stored in concept files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The method of a stored name. */
    public static ConceptMethod of(String id) {
        for (ConceptMethod m : values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown concept method '" + id + "'; known: perfusion, "
                + "textual-inversion, trained-keys");
    }
}
