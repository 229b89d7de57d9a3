package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Softmax attention {@code softmax(q k^T / sqrt(d)) v} by PyTorch's fused {@code scaled_dot_product_attention}, the
 * kernel diffusers uses: on the CPU it never materialises the (queries x keys) scores, which made SD 1.5's
 * 4096-token self-attention about three times faster than matmul, softmax and matmul here. DJL 0.36 does not expose
 * the operator, so it is reached through a {@link TorchScriptFunction}.
 */
public final class FusedAttention {

    private static final TorchScriptFunction SDPA = TorchScriptFunction.of(List.of("query", "key", "value"),
            "torch.scaled_dot_product_attention(query, key, value)");

    private static final TorchScriptFunction SDPA_BIASED = TorchScriptFunction.of(
            List.of("query", "key", "value", "bias"),
            "torch.scaled_dot_product_attention(query, key, value, attn_mask=bias)");

    private FusedAttention() {
    }

    /**
     * Attention per batch and head. The inputs may be strided views; the result is attached to the query's manager.
     *
     * @param query (batch, heads, queries, dim)
     * @param key   (batch, heads, keys, dim)
     * @param value (batch, heads, keys, value dim)
     * @return (batch, heads, queries, value dim)
     */
    public static NDArray apply(NDArray query, NDArray key, NDArray value) {
        checkShapes(query, key, value);
        return SDPA.apply(query, key, value);
    }

    /**
     * As {@link #apply(NDArray, NDArray, NDArray)}, with {@code bias} added to the scores before the softmax (a large
     * negative value hides a key).
     *
     * @param bias broadcastable to (batch, heads, queries, keys), of the query's data type
     */
    public static NDArray apply(NDArray query, NDArray key, NDArray value, NDArray bias) {
        checkShapes(query, key, value);
        return SDPA_BIASED.apply(query, key, value, bias);
    }

    private static void checkShapes(NDArray query, NDArray key, NDArray value) {
        if (query.getShape().dimension() != 4 || key.getShape().dimension() != 4 || value.getShape().dimension() != 4) {
            throw new IllegalArgumentException("attention takes (batch, heads, tokens, dim) arrays, got "
                    + query.getShape() + ", " + key.getShape() + ", " + value.getShape());
        }
    }
}
