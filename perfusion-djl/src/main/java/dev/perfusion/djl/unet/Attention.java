package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.FusedAttention;
import dev.perfusion.djl.nn.Linear;
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
    private final String name;

    private Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads, String name) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.name = name;
    }

    static Attention load(Weights store, String prefix, long queryDim, long contextDim, int heads, long headDim)
            throws FileFormatException {
        long inner = (long) heads * headDim;
        return new Attention(Linear.load(store, prefix + ".to_q", queryDim, inner, false),
                Linear.load(store, prefix + ".to_k", contextDim, inner, false),
                Linear.load(store, prefix + ".to_v", contextDim, inner, false),
                Linear.load(store, prefix + ".to_out.0", inner, queryDim, true), heads, prefix);
    }

    /** The original key projection weight, (inner, context). */
    NDArray keyWeight() {
        return toK.weight();
    }

    /** The original value projection weight, (inner, context). */
    NDArray valueWeight() {
        return toV.weight();
    }

    /** The checkpoint name of the layer, such as {@code mid_block.attentions.0.transformer_blocks.0.attn2}. */
    String name() {
        return name;
    }

    /** Self-attention of {@code x} (batch, tokens, query). */
    NDArray forward(NDArray x) {
        return Scoped.run(() -> compute(x, toK.forward(x), toV.forward(x), null), x);
    }

    /** Cross-attention of {@code x} to the text, with this layer's keys and values as {@code text} gives them. */
    NDArray forward(NDArray x, TextConditioning text) {
        return Scoped.run(() -> {
            NDArray[] kv = text.keysAndValues(name, toK, toV);
            if (text.probe().isPresent()) {
                return probed(x, kv[0], kv[1], text);
            }
            NDArray bias = text.keyBias().orElse(null);
            return text.observer().map(o -> observed(x, kv[0], kv[1], bias, o))
                    .orElseGet(() -> compute(x, kv[0], kv[1], bias));
        }, x);
    }

    /**
     * Attention computed explicitly, so that the weights on the concept's token can be compared with those its
     * supercategory's key would get: the squared difference, averaged, goes to {@code text}'s losses (the
     * supercategory side carries no gradient).
     */
    private NDArray probed(NDArray x, NDArray keys, NDArray values, TextConditioning text) {
        TextConditioning.AttentionProbe probe = text.probe().orElseThrow();
        long batch = x.getShape().get(0);
        NDArray q = splitHeads(toQ.forward(x));
        long headDim = q.getShape().get(3);
        NDArray scale = scale(x, headDim);
        NDArray scores = biased(q.matMul(splitHeads(keys).transpose(0, 1, 3, 2)).mul(scale), text.keyBias());
        NDArray weights = scores.softmax(-1);
        NDArray superKey = probe.supercategoryKey().get(name).reshape(1, heads, headDim, 1);
        NDArray superScores = q.matMul(superKey).mul(scale);
        NDArray at = probe.positions().reshape(batch, 1, 1, -1);
        NDArray swapped = scores.mul(at.neg().add(1)).add(superScores.mul(at)).stopGradient().softmax(-1);
        NDArray difference = weights.mul(at).sum(new int[] {-1}).sub(swapped.mul(at).sum(new int[] {-1}));
        NDArray loss = difference.square().mean();
        loss.attach(text.context().getManager());
        text.addLoss(loss);
        return attended(x, weights, values);
    }

    /** Attention computed explicitly, its weights shown to {@code observer}. */
    private NDArray observed(NDArray x, NDArray keys, NDArray values, NDArray bias,
            TextConditioning.AttentionObserver observer) {
        NDArray q = splitHeads(toQ.forward(x));
        NDArray weights = biased(q.matMul(splitHeads(keys).transpose(0, 1, 3, 2)).mul(scale(x, q.getShape().get(3))),
                java.util.Optional.ofNullable(bias)).softmax(-1);
        observer.observe(name, weights);
        return attended(x, weights, values);
    }

    /** {@code scores} with the text's bias added, where it hides some positions. */
    private static NDArray biased(NDArray scores, java.util.Optional<NDArray> bias) {
        return bias.map(scores::add).orElse(scores);
    }

    private static NDArray scale(NDArray x, long headDim) {
        return x.getManager().full(new Shape(), (float) (1 / Math.sqrt(headDim)));
    }

    /** The output projection of {@code weights} (batch, heads, queries, tokens) applied to {@code values}. */
    private NDArray attended(NDArray x, NDArray weights, NDArray values) {
        return merged(x, weights.matMul(splitHeads(values)));
    }

    private NDArray compute(NDArray x, NDArray keys, NDArray values, NDArray bias) {
        NDArray q = splitHeads(toQ.forward(x));
        return merged(x, bias == null ? FusedAttention.apply(q, splitHeads(keys), splitHeads(values))
                : FusedAttention.apply(q, splitHeads(keys), splitHeads(values), bias));
    }

    /** The output projection of per-head results (batch, heads, queries, dim), back to {@code x}'s shape. */
    private NDArray merged(NDArray x, NDArray heads) {
        long inner = heads.getShape().get(1) * heads.getShape().get(3);
        return toOut.forward(heads.transpose(0, 2, 1, 3).reshape(x.getShape().get(0), x.getShape().get(1), inner));
    }

    /** (batch, tokens, heads * dim) to a (batch, heads, tokens, dim) view. */
    private NDArray splitHeads(NDArray t) {
        Shape shape = t.getShape();
        return t.reshape(shape.get(0), shape.get(1), heads, shape.get(2) / heads).transpose(0, 2, 1, 3);
    }
}
