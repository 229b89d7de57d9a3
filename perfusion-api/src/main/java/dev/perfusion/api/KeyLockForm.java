package dev.perfusion.api;

import java.util.Locale;

/**
 * How a concept's key edit puts the supercategory back. Both forms remove from every token's key the component along
 * {@code i*} in proportion to the token's similarity {@code s(e)} to the concept; they differ in what replaces it.
 *
 * <ul>
 *   <li>{@link #GATED}, the paper's: {@code W_k e - s(e) W_k i* + gate(s(e)) o*_k}. The locked key {@code W_k i_s}
 *       comes back through the gate, so a token that encodes part of the concept (a similarity between 0 and beta)
 *       loses that part of its key and gets little back.</li>
 *   <li>{@link #PROPORTIONAL}: {@code W_k e - s(e) W_k (i* - i_s) + gate(s(e)) (o*_k - W_k i_s)}. Each token's
 *       concept component is swapped for the supercategory's in proportion to its similarity, whatever the gate,
 *       so every token is keyed as in the prompt with the supercategory word; for a locked key ({@code o*_k =
 *       W_k i_s}) the key no longer depends on the gate at all, and a trained key's difference from the lock is
 *       what the gate adds. At the concept's token with the gate open both forms give {@code o*_k}.</li>
 * </ul>
 *
 * A concept records the form it generates with: the one it was trained with, unless {@link Concept#toBuilder()}
 * set another (its {@link Concept#training()} record keeps the training one). Values always use the paper's gated
 * form.
 */
public enum KeyLockForm {
    /** The paper's: the supercategory's key comes back through the gate. */
    GATED,
    /** The supercategory's key replaces the concept's component in proportion to each token's similarity. */
    PROPORTIONAL;

    /** The name stored in concept files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The form of a stored name. */
    public static KeyLockForm of(String id) {
        for (KeyLockForm f : values()) {
            if (f.id().equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown key lock form '" + id + "'; known: gated, proportional");
    }
}
