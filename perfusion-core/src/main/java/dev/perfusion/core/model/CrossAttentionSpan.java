package dev.perfusion.core.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which tokens of a prompt's encoding a UNet's cross-attention may read, a property of how the UNet was trained
 * (config key {@code cross_attention_span}, this SDK's own; diffusers does not know it). Stable Diffusion reads all
 * 77 positions, padding included. A UNet trained with {@link #WORDS} reads only the start token and the prompt's
 * words: in diffusers the same model needs {@code encoder_attention_mask} set to 1 up to the end token (excluded)
 * and 0 from it; one trained with {@link #WORDS_AND_END} reads the end token too (mask 1 up to it, included). In a
 * causal text encoder the padding encodes the whole prompt again, so a UNet that reads it need not read the words;
 * Perfusion's edit acts on the words ({@code docs/perfusion-training.md}).
 */
public enum CrossAttentionSpan {
    /** Every position, end token and padding included: Stable Diffusion, and the default. */
    ALL,
    /** The start token and the words; the end token and the padding are masked out. */
    WORDS,
    /** The start token, the words and the end token; the padding is masked out. */
    WORDS_AND_END;

    /**
     * How many leading positions this span reads of a prompt whose end token is at position {@code end}; every
     * later position is hidden. Not defined for {@link #ALL}, which hides nothing.
     */
    public int visible(int end) {
        return switch (this) {
            case ALL -> throw new IllegalStateException("span 'all' hides nothing");
            case WORDS -> end;
            case WORDS_AND_END -> end + 1;
        };
    }

    /** The value in {@code unet/config.json}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The span of a config value. */
    public static CrossAttentionSpan of(String id) {
        return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown cross-attention span '" + id + "'; known: "
                        + Arrays.stream(values()).map(CrossAttentionSpan::id).toList()));
    }
}
