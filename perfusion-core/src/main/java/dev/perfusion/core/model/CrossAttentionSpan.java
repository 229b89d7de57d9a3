package dev.perfusion.core.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which tokens of a prompt's encoding a UNet's cross-attention may read, a property of how the UNet was trained
 * (config key {@code cross_attention_span}, this SDK's own; diffusers does not know it). Stable Diffusion reads all
 * 77 positions, padding included. A UNet trained with {@link #WORDS} reads only the start token and the prompt's
 * words: in diffusers the same model needs {@code encoder_attention_mask} set to 1 up to the end token (excluded)
 * and 0 from it. In a causal text encoder the padding encodes the whole prompt again, so a UNet that reads it need
 * not read the words; Perfusion's edit acts on the words ({@code docs/perfusion-training.md}).
 */
public enum CrossAttentionSpan {
    /** Every position, end token and padding included: Stable Diffusion, and the default. */
    ALL,
    /** The start token and the words; the end token and the padding are masked out. */
    WORDS;

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
