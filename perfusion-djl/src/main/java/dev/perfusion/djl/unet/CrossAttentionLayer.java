package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.djl.nn.Projection;

/**
 * One cross-attention layer of the UNet, where Perfusion edits: its key and value projection weights, and the
 * hook that replaces the projections with edited ones. Not a copy: setting a projection changes the model.
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

    /** Uses these projections of the text encodings for keys and values until {@link #restore()}. */
    public void project(Projection key, Projection value) {
        attention.project(key, value);
    }

    Attention attention() {
        return attention;
    }

    /** Goes back to the checkpoint's own projections. */
    public void restore() {
        attention.project(null, null);
    }
}
