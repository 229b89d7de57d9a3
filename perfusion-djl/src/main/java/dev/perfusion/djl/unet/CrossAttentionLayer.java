package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;

/**
 * One cross-attention layer of the UNet, where Perfusion edits: its name and its key and value projection weights.
 * Edited projections are given per call, in a {@link TextConditioning}; the model itself is never changed.
 */
public final class CrossAttentionLayer {

    private final String name;
    private final Attention attention;

    CrossAttentionLayer(String name, Attention attention) {
        this.name = name;
        this.attention = attention;
    }

    /** The checkpoint key of the layer, such as {@code down_blocks.0.attentions.0.transformer_blocks.0.attn2}. */
    public String name() {
        return name;
    }

    /** {@code W_k}, (inner, context width). */
    public NDArray keyWeight() {
        return attention.keyWeight();
    }

    /** {@code W_v}, (inner, context width). */
    public NDArray valueWeight() {
        return attention.valueWeight();
    }

    Attention attention() {
        return attention;
    }
}
