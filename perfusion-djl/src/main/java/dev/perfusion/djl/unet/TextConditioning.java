package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.djl.nn.Projection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the cross-attention layers of one generation (or one training step) attend to: the text encodings, and for
 * each layer its keys and values, computed once per object and reused by every UNet call that gets it, the way
 * diffusers' attention processors are installed for one call. A layer may have its key and value projections replaced
 * for this object alone, which is where Perfusion's edits go: requests that run at the same time each bring their
 * own, so they never see each other's edits, and the model itself is never changed. Where each prompt ends
 * ({@link #withEnds}) is what a UNet that reads only part of each prompt ({@link CrossAttentionSpan}) needs to mask
 * what it does not read.
 *
 * <p>Owns the keys and values it computes; close it when the generation ends. Not thread-safe: one per call.
 */
public final class TextConditioning implements AutoCloseable {

    /**
     * Replacement projections of one cross-attention layer.
     *
     * @param key   maps text encodings (batch, tokens, width) to keys (batch, tokens, inner)
     * @param value maps them to values
     */
    public record LayerEdit(Projection key, Projection value) {

        public LayerEdit {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A request to compare, in every cross-attention layer, the attention paid to a concept's token with the attention
     * its supercategory's key would get from the same queries: Perfusion's attention loss. Attention is then computed
     * explicitly (not by the fused kernel), and each layer adds its squared difference to {@link #losses()}.
     *
     * @param positions       (batch, tokens): 1 at each row's concept token, 0 elsewhere
     * @param supercategoryKey the key of the supercategory word in each layer, {@code W_k i_s}, (inner), by layer
     */
    public record AttentionProbe(NDArray positions, Map<String, NDArray> supercategoryKey) {
    }

    /** Receives the cross-attention weights of each layer a call runs, for inspection (attention maps). */
    @FunctionalInterface
    public interface AttentionObserver {
        /**
         * @param layer   the layer's load-time name
         * @param weights its attention weights, (batch, heads, queries, tokens); valid during the call only
         */
        void observe(String layer, NDArray weights);
    }

    private final NDArray context;
    private final Map<String, LayerEdit> edits;
    private final NDManager owned;
    private final Map<String, NDArray[]> computed = new HashMap<>();
    private final AttentionProbe probe;
    private final AttentionObserver observer;
    private final java.util.List<NDArray> losses = new java.util.ArrayList<>();
    private int[] ends;
    private NDArray keyBias;

    private TextConditioning(NDArray context, Map<String, LayerEdit> edits, AttentionProbe probe,
            AttentionObserver observer) {
        this.context = context;
        this.edits = Map.copyOf(edits);
        this.owned = context.getManager().newSubManager();
        this.probe = probe;
        this.observer = observer;
    }

    /** Plain cross-attention to {@code context} (batch, tokens, width). */
    public static TextConditioning of(NDArray context) {
        return new TextConditioning(context, Map.of(), null, null);
    }

    /** Cross-attention to {@code context} with the layers named in {@code edits} projecting it their way. */
    public static TextConditioning edited(NDArray context, Map<String, LayerEdit> edits) {
        return new TextConditioning(context, edits, null, null);
    }

    /** As {@link #edited}, showing every layer's attention weights to {@code observer} (computed explicitly). */
    public static TextConditioning observed(NDArray context, Map<String, LayerEdit> edits,
            AttentionObserver observer) {
        return new TextConditioning(context, edits, null, Objects.requireNonNull(observer, "observer"));
    }

    /** As {@link #edited}, measuring the attention loss of {@code probe} in every layer (for training). */
    public static TextConditioning probed(NDArray context, Map<String, LayerEdit> edits, AttentionProbe probe) {
        return new TextConditioning(context, edits, java.util.Objects.requireNonNull(probe, "probe"), null);
    }

    /**
     * Records where each row's prompt ends: the position of its end token, after the start token and the words
     * (one per context row, negative prompts' rows included).
     *
     * @return this
     */
    public TextConditioning withEnds(int[] endPositions) {
        int batch = (int) context.getShape().get(0);
        int tokens = (int) context.getShape().get(1);
        if (endPositions.length != batch) {
            throw new IllegalArgumentException("end positions for " + endPositions.length + " prompts, but the text "
                    + "encodings have " + batch + " rows");
        }
        for (int end : endPositions) {
            if (end < 1 || end >= tokens) {
                throw new IllegalArgumentException("end token position " + end + " is outside 1.." + (tokens - 1));
            }
        }
        this.ends = endPositions.clone();
        this.keyBias = null;
        return this;
    }

    /**
     * Sets which positions the layers read, as the UNet's config says: for {@link CrossAttentionSpan#WORDS}, an
     * additive bias (batch, 1, 1, tokens) that hides each row's end token and padding from the softmax.
     *
     * @throws IllegalStateException where the UNet reads only words and no end positions were given
     */
    void readSpan(CrossAttentionSpan span) {
        if (span == CrossAttentionSpan.ALL) {
            keyBias = null;
            return;
        }
        if (keyBias != null) {
            return;
        }
        if (ends == null) {
            throw new IllegalStateException("this UNet reads only part of each prompt (config "
                    + "cross_attention_span '" + span.id() + "'); its text conditioning needs the prompts' end "
                    + "positions (TextConditioning.withEnds)");
        }
        int batch = ends.length;
        int tokens = (int) context.getShape().get(1);
        float[] bias = new float[batch * tokens];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(bias, b * tokens + span.visible(ends[b]), (b + 1) * tokens, HIDDEN);
        }
        keyBias = owned.create(bias, new Shape(batch, 1, 1, tokens)).toType(context.getDataType(), false);
    }

    /** Added to the attention scores of hidden positions: far below any real score, finite in float32. */
    private static final float HIDDEN = -1e9f;

    /** The additive attention bias over the positions, (batch, 1, 1, tokens), where some are hidden. */
    java.util.Optional<NDArray> keyBias() {
        return java.util.Optional.ofNullable(keyBias);
    }

    /** The probe, if attention is being compared. */
    java.util.Optional<AttentionProbe> probe() {
        return java.util.Optional.ofNullable(probe);
    }

    /** The observer of attention weights, if any. */
    java.util.Optional<AttentionObserver> observer() {
        return java.util.Optional.ofNullable(observer);
    }

    /** Records one layer's attention loss. */
    void addLoss(NDArray loss) {
        losses.add(loss);
    }

    /** The attention losses recorded by the layers so far, one per layer called. */
    public java.util.List<NDArray> losses() {
        return java.util.List.copyOf(losses);
    }

    /** The text encodings. */
    public NDArray context() {
        return context;
    }

    /** Whether some layer is edited. */
    public boolean isEdited() {
        return !edits.isEmpty();
    }

    /** The keys and values of a cross-attention layer: its edit's, or its own projections'. */
    NDArray[] keysAndValues(String layer, Projection ownKey, Projection ownValue) {
        return computed.computeIfAbsent(layer, name -> {
            LayerEdit edit = edits.get(name);
            NDArray key = (edit != null ? edit.key() : ownKey).forward(context);
            NDArray value = (edit != null ? edit.value() : ownValue).forward(context);
            key.attach(owned);
            value.attach(owned);
            return new NDArray[] {key, value};
        });
    }

    @Override
    public void close() {
        owned.close();
    }
}
