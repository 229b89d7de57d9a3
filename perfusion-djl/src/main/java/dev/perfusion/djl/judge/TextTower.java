package dev.perfusion.djl.judge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.clip.ClipTextModel;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.weights.Weights;
import java.util.List;

/**
 * The text tower of a contrastive model: a CLIP text transformer ({@code text_model.*}) whose hidden state at each
 * caption's end token is projected ({@code text_projection}) into the shared embedding space, as CLIP pools.
 */
public final class TextTower {

    private final ClipTextModel encoder;
    private final Linear projection;
    private final ClipTokenizer tokenizer;

    private TextTower(ClipTextModel encoder, Linear projection, ClipTokenizer tokenizer) {
        this.encoder = encoder;
        this.projection = projection;
        this.tokenizer = tokenizer;
    }

    /** Builds the tower from {@code weights}: {@code text_model.*} and {@code text_projection.weight}. */
    public static TextTower build(ClipTextConfig config, int embed, ClipTokenizer tokenizer, Weights weights,
            NDManager manager) throws FileFormatException {
        return new TextTower(ClipTextModel.build(config, manager, weights.under("text_model.")),
                Linear.load(weights, "text_projection", config.hiddenSize(), embed, false), tokenizer);
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel encoder() {
        return encoder;
    }

    /**
     * Embeddings (batch, embed) of texts. Only the tokens up to the longest text's end token are run: attention is
     * causal, so the end token's state does not depend on the padding after it.
     */
    public NDArray forward(NDManager manager, List<String> texts) {
        return encode(manager, texts).embeddings();
    }

    /**
     * The texts' token ids, the encoder's hidden states (batch, tokens, hidden) up to the longest text's end token,
     * and their pooled embeddings (batch, embed).
     *
     * @param ids        each text's ids, as the tokenizer pads them
     * @param hidden     the last hidden states of the first {@code hidden.getShape().get(1)} tokens
     * @param embeddings the projected end-token states, as {@link #forward} returns
     */
    public record Encoding(int[][] ids, NDArray hidden, NDArray embeddings) {
    }

    /** {@link #forward}, keeping the token ids and hidden states it pools from. */
    public Encoding encode(NDManager manager, List<String> texts) {
        int[][] rows = new int[texts.size()][];
        int length = 0;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenizer.encode(texts.get(i));
            length = Math.max(length, tokenizer.endPosition(rows[i]) + 1);
        }
        long[] ids = new long[rows.length * length];
        float[] pick = new float[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < length; j++) {
                ids[i * length + j] = rows[i][j];
            }
            pick[i * length + tokenizer.endPosition(rows[i])] = 1f;
        }
        NDArray hidden = encoder.forward(manager.create(ids, new Shape(rows.length, length)));
        NDArray pooled = hidden.mul(manager.create(pick, new Shape(rows.length, length, 1))).sum(new int[] {1});
        return new Encoding(rows, hidden, projection.forward(pooled));
    }
}
