package dev.perfusion.djl.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.weights.Weights;

/** Multi-head self-attention of a CLIP layer ({@code self_attn}), with a causal mask supplied by the caller. */
final class ClipAttention {

    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final int heads;
    private final int headDim;

    private ClipAttention(Linear q, Linear k, Linear v, Linear out, int heads, int headDim) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.heads = heads;
        this.headDim = headDim;
    }

    static ClipAttention load(Weights store, String key, ClipTextConfig c) throws FileFormatException {
        int h = c.hiddenSize();
        return new ClipAttention(Linear.load(store, key + ".q_proj", h, h, true),
                Linear.load(store, key + ".k_proj", h, h, true), Linear.load(store, key + ".v_proj", h, h, true),
                Linear.load(store, key + ".out_proj", h, h, true), c.numAttentionHeads(), c.headDim());
    }

    /** {@code x}: (batch, tokens, hidden); {@code mask}: (tokens, tokens), added to the scores. */
    NDArray forward(NDArray x, NDArray mask) {
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        Shape split = new Shape(batch, tokens, heads, headDim);
        NDArray query = Scalars.times(q.forward(x), 1.0 / Math.sqrt(headDim)).reshape(split).transpose(0, 2, 1, 3);
        NDArray key = k.forward(x).reshape(split).transpose(0, 2, 3, 1);
        NDArray value = v.forward(x).reshape(split).transpose(0, 2, 1, 3);
        NDArray weights = query.matMul(key).add(mask).softmax(-1);
        NDArray context = weights.matMul(value).transpose(0, 2, 1, 3).reshape(batch, tokens, (long) heads * headDim);
        return out.forward(context);
    }
}
