package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.FusedAttention;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Projection;
import dev.perfusion.djl.nn.Scoped;
import dev.perfusion.djl.weights.Weights;

/**
 * Multi-head attention of a transformer block ({@code attn1}: self-attention, {@code attn2}: cross-attention to
 * the text encodings). The key and value projections are replaceable, which is where Perfusion's edit goes.
 */
final class Attention {

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private Projection key;
    private Projection value;

    private Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.key = toK;
        this.value = toV;
    }

    static Attention load(Weights store, String prefix, long queryDim, long contextDim, int heads, long headDim)
            throws FileFormatException {
        long inner = (long) heads * headDim;
        return new Attention(Linear.load(store, prefix + ".to_q", queryDim, inner, false),
                Linear.load(store, prefix + ".to_k", contextDim, inner, false),
                Linear.load(store, prefix + ".to_v", contextDim, inner, false),
                Linear.load(store, prefix + ".to_out.0", inner, queryDim, true), heads);
    }

    /** The original key projection weight, (inner, context). */
    NDArray keyWeight() {
        return toK.weight();
    }

    /** The original value projection weight, (inner, context). */
    NDArray valueWeight() {
        return toV.weight();
    }

    /** Replaces the key and value projections; {@code null} restores the original. */
    void project(Projection newKey, Projection newValue) {
        this.key = newKey == null ? toK : newKey;
        this.value = newValue == null ? toV : newValue;
    }

    /** {@code x}: (batch, tokens, query); {@code context}: (batch, keys, context), or {@code x} itself. */
    NDArray forward(NDArray x, NDArray context) {
        return Scoped.run(() -> compute(x, context), x, context);
    }

    private NDArray compute(NDArray x, NDArray context) {
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        NDArray q = toQ.forward(x);
        long inner = q.getShape().get(2);
        NDArray out = FusedAttention.apply(splitHeads(q), splitHeads(key.forward(context)),
                splitHeads(value.forward(context)));
        return toOut.forward(out.transpose(0, 2, 1, 3).reshape(batch, tokens, inner));
    }

    /** (batch, tokens, heads * dim) to a (batch, heads, tokens, dim) view. */
    private NDArray splitHeads(NDArray t) {
        Shape shape = t.getShape();
        return t.reshape(shape.get(0), shape.get(1), heads, shape.get(2) / heads).transpose(0, 2, 1, 3);
    }
}
