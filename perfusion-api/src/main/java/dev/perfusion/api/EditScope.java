package dev.perfusion.api;

import java.util.Locale;

/**
 * Which tokens of a prompt a concept's gated rank-one edit reaches. The paper's edit is a function of each token's
 * encoding alone, so it reaches every token in proportion to its similarity to {@code i*}; a text encoder whose
 * later tokens (padding included) encode much of the concept word makes that similarity large far from the concept,
 * and the edit then rewrites the whole prompt. {@link #CONCEPT_TOKEN} confines it to the concept's own token, where
 * the key lock and the value target are meant to act. A concept records the scope it was trained with and is
 * generated with the same one.
 */
public enum EditScope {
    /** The paper's formula: every token, each gated by its own similarity to {@code i*}. */
    ALL_TOKENS,
    /** Only the concept's own token; every other token keeps the base model's keys and values. */
    CONCEPT_TOKEN;

    /** The name stored in concept files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The scope of a stored name. */
    public static EditScope of(String id) {
        for (EditScope s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown edit scope '" + id + "'; known: all-tokens, concept-token");
    }
}
