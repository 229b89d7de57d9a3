package dev.perfusion.djl.vae;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.FusedAttention;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Scoped;
import dev.perfusion.djl.weights.Keys;
import dev.perfusion.djl.weights.Weights;

/**
 * The VAE's single-head self-attention over pixels ({@code mid_block.attentions.0}), residual. Reads both current
 * key names ({@code to_q}, {@code to_k}, {@code to_v}, {@code to_out.0}) and legacy ones ({@code query},
 * {@code key}, {@code value}, {@code proj_attn}), which older SD 1.x files use.
 */
final class VaeAttentionBlock {

    private final GroupNorm norm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;

    private VaeAttentionBlock(GroupNorm norm, Linear q, Linear k, Linear v, Linear out) {
        this.norm = norm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
    }

    static VaeAttentionBlock load(Weights store, String prefix, long channels, int groups)
            throws FileFormatException {
        return new VaeAttentionBlock(GroupNorm.load(store, prefix + ".group_norm", groups, channels, 1e-6),
                linear(store, prefix, "to_q", "query", channels), linear(store, prefix, "to_k", "key", channels),
                linear(store, prefix, "to_v", "value", channels),
                linear(store, prefix, "to_out.0", "proj_attn", channels));
    }

    private static Linear linear(Weights store, String prefix, String name, String legacy, long channels)
            throws FileFormatException {
        String key = Keys.either(store, prefix + "." + name, prefix + "." + legacy, ".weight");
        return Linear.load(store, key, channels, channels, true);
    }

    NDArray forward(NDArray x) {
        return Scoped.run(() -> compute(x), x);
    }

    private NDArray compute(NDArray x) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray tokens = norm.forward(x).reshape(b, c, h * w).transpose(0, 2, 1);
        NDArray attended = FusedAttention.apply(q.forward(tokens).expandDims(1), k.forward(tokens).expandDims(1),
                v.forward(tokens).expandDims(1));
        return out.forward(attended.reshape(b, h * w, c)).transpose(0, 2, 1).reshape(b, c, h, w).add(x);
    }
}
