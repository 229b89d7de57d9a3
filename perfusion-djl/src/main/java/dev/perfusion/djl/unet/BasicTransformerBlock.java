package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Geglu;
import dev.perfusion.djl.nn.LayerNorm;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Scoped;
import dev.perfusion.djl.weights.Weights;

/** Self-attention, cross-attention and a GEGLU feed-forward, each pre-normed and residual. */
final class BasicTransformerBlock {

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final Geglu ffIn;
    private final Linear ffOut;

    private BasicTransformerBlock(LayerNorm norm1, Attention attn1, LayerNorm norm2, Attention attn2,
            LayerNorm norm3, Geglu ffIn, Linear ffOut) {
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.norm3 = norm3;
        this.ffIn = ffIn;
        this.ffOut = ffOut;
    }

    static BasicTransformerBlock load(Weights store, String prefix, long dim, long contextDim, int heads)
            throws FileFormatException {
        long headDim = dim / heads;
        long ff = dim * 4;
        return new BasicTransformerBlock(
                LayerNorm.load(store, prefix + ".norm1", dim, 1e-5),
                Attention.load(store, prefix + ".attn1", dim, dim, heads, headDim),
                LayerNorm.load(store, prefix + ".norm2", dim, 1e-5),
                Attention.load(store, prefix + ".attn2", dim, contextDim, heads, headDim),
                LayerNorm.load(store, prefix + ".norm3", dim, 1e-5),
                Geglu.load(store, prefix + ".ff.net.0.proj", dim, ff),
                Linear.load(store, prefix + ".ff.net.2", ff, dim, true));
    }

    Attention crossAttention() {
        return attn2;
    }

    NDArray forward(NDArray x, TextConditioning text) {
        NDArray selfAttended = Scoped.run(() -> x.add(attn1.forward(norm1.forward(x))), x);
        NDArray crossAttended = Scoped.run(() -> selfAttended.add(attn2.forward(norm2.forward(selfAttended), text)),
                selfAttended);
        selfAttended.close();
        NDArray out = Scoped.run(() -> crossAttended.add(feedForward(norm3.forward(crossAttended))), crossAttended);
        crossAttended.close();
        return out;
    }

    private NDArray feedForward(NDArray x) {
        return ffOut.forward(ffIn.forward(x));
    }
}
