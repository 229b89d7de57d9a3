package dev.perfusion.djl.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.djl.nn.LayerNorm;
import dev.perfusion.djl.weights.RecordingWeights;
import dev.perfusion.djl.weights.WeightStore;
import dev.perfusion.djl.weights.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CLIP's text transformer ({@code CLIPTextModel}): token and position embeddings, causal pre-norm layers, final
 * layer norm. Returns the per-token hidden states that feed the UNet's cross-attention. Split into
 * {@link #embed} and {@link #encode} so a concept's token embedding can be swapped in between.
 */
public final class ClipTextModel implements AutoCloseable {

    private final ClipTextConfig config;
    private final NDManager manager;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<ClipEncoderLayer> layers;
    private final LayerNorm finalLayerNorm;
    private final Map<String, NDArray> parameters;

    private ClipTextModel(ClipTextConfig config, NDManager manager, NDArray tokenEmbedding,
            NDArray positionEmbedding, List<ClipEncoderLayer> layers, LayerNorm finalLayerNorm,
            Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = layers;
        this.finalLayerNorm = finalLayerNorm;
        this.parameters = parameters;
    }

    /**
     * Loads a diffusers {@code text_encoder/} folder: {@code config.json} and {@code model.safetensors} (or
     * {@code model.fp16.safetensors}). Every tensor is checked against the config; nothing is kept on failure.
     */
    public static ClipTextModel load(Path folder, NDManager parent) throws IOException {
        ClipTextConfig config = ClipTextConfig.read(folder.resolve("config.json"));
        Path weights = WeightStore.componentFile(folder, "model");
        return load(config, weights, parent, KeyMap.optionalPrefix(weights, "text_model."));
    }

    /** Loads the text encoder from {@code weights}, whose tensor names {@code keys} translates. */
    public static ClipTextModel load(ClipTextConfig config, Path weights, NDManager parent, KeyMap keys)
            throws IOException {
        return WeightStore.load(weights, parent, keys, List.of("position_ids"),
                (store, manager) -> build(config, manager, store));
    }

    /**
     * Builds the text encoder of {@code c} from {@code store}, its arrays owned by {@code manager}: a checkpoint, or
     * a fresh initialisation to train.
     */
    public static ClipTextModel build(ClipTextConfig c, NDManager manager, Weights weights)
            throws FileFormatException {
        RecordingWeights store = new RecordingWeights(weights);
        NDArray token = store.take("embeddings.token_embedding.weight", c.vocabSize(), c.hiddenSize());
        NDArray position = store.take("embeddings.position_embedding.weight", c.maxPositionEmbeddings(),
                c.hiddenSize());
        List<ClipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(ClipEncoderLayer.load(store, "encoder.layers." + i, c));
        }
        LayerNorm last = LayerNorm.load(store, "final_layer_norm", c.hiddenSize(), c.layerNormEps());
        return new ClipTextModel(c, manager, token, position, List.copyOf(layers), last, store.taken());
    }

    public ClipTextConfig config() {
        return config;
    }

    /** Every weight, by its name in transformers' layout without the {@code text_model.} prefix, in load order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** The token embedding table, (vocab, hidden). */
    public NDArray tokenEmbedding() {
        return tokenEmbedding;
    }

    /** Token embeddings of ids (batch, tokens), int32 or int64: (batch, tokens, hidden). */
    public NDArray embed(NDArray ids) {
        NDArray flat = ids.toType(DataType.INT64, false).reshape(-1);
        Shape shape = ids.getShape();
        NDArray rows = tokenEmbedding.get(new NDIndex("{}", flat));
        rows.attach(ids.getManager());
        return rows.reshape(shape.get(0), shape.get(1), config.hiddenSize());
    }

    /** Hidden states of token embeddings (batch, tokens, hidden): adds positions, runs the layers. */
    public NDArray encode(NDArray embeddings) {
        long tokens = embeddings.getShape().get(1);
        if (tokens > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(tokens + " tokens exceed the context length "
                    + config.maxPositionEmbeddings());
        }
        NDArray positions = positionEmbedding.get(new NDIndex(":{}", tokens));
        positions.attach(embeddings.getManager());
        NDArray x = embeddings.add(positions);
        NDArray mask = causalMask(embeddings.getManager(), (int) tokens);
        for (ClipEncoderLayer layer : layers) {
            x = layer.forward(x, mask);
        }
        return finalLayerNorm.forward(x);
    }

    private static NDArray causalMask(NDManager manager, int tokens) {
        float[] mask = new float[tokens * tokens];
        for (int i = 0; i < tokens; i++) {
            java.util.Arrays.fill(mask, i * tokens + i + 1, (i + 1) * tokens, Float.NEGATIVE_INFINITY);
        }
        return manager.create(mask, new Shape(tokens, tokens));
    }

    /** {@code encode(embed(ids))}. */
    public NDArray forward(NDArray ids) {
        return encode(embed(ids));
    }

    @Override
    public void close() {
        manager.close();
    }
}
