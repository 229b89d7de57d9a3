package dev.perfusion.core.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The CLIP text encoder's {@code config.json}, as transformers writes it for {@code CLIPTextModel}.
 *
 * @param vocabSize             tokens in the embedding table
 * @param hiddenSize            width of the hidden states (768 for SD 1.x)
 * @param intermediateSize      width of the MLP
 * @param numHiddenLayers       transformer layers
 * @param numAttentionHeads     attention heads per layer
 * @param maxPositionEmbeddings context length (77)
 * @param hiddenAct             MLP activation: "quick_gelu" (SD 1.x) or "gelu" (SD 2.x)
 * @param layerNormEps          epsilon of every layer norm
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClipTextConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("layer_norm_eps") double layerNormEps) {

    public ClipTextConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers <= 0
                || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("CLIP text config needs positive sizes, got " + vocabSize + ", "
                    + hiddenSize + ", " + intermediateSize + ", " + numHiddenLayers + ", " + maxPositionEmbeddings);
        }
        if (numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible by "
                    + numAttentionHeads + " attention heads");
        }
        if (hiddenAct == null) {
            hiddenAct = "quick_gelu";
        }
        if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
            throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported (quick_gelu, gelu)");
        }
        if (layerNormEps == 0) {
            layerNormEps = 1e-5;
        }
    }

    /** Reads {@code config.json}; a malformed or inconsistent file names itself and the key. */
    public static ClipTextConfig read(Path file) throws IOException {
        JsonConfig n = JsonConfig.read(file);
        for (String[] only : new String[][] {{"position_embedding_type", "absolute"}}) {
            String v = n.text(only[0], only[1]);
            if (!v.equals(only[1])) {
                throw n.refuse("'" + only[0] + "' is '" + v + "'; this port implements only '" + only[1] + "'");
            }
        }
        try {
            return new ClipTextConfig(n.requiredInteger("vocab_size", 1, 10_000_000),
                    n.requiredInteger("hidden_size", 1, 16_384), n.requiredInteger("intermediate_size", 1, 65_536),
                    n.requiredInteger("num_hidden_layers", 1, 256), n.requiredInteger("num_attention_heads", 1, 1024),
                    n.integer("max_position_embeddings", 77, 1, 16_384), n.text("hidden_act", "quick_gelu"),
                    n.number("layer_norm_eps", 1e-5, 1e-12, 1));
        } catch (IllegalArgumentException e) {
            throw n.refuse("is not a supported CLIP text config: " + e.getMessage());
        }
    }

    /**
     * The config as transformers writes {@code text_encoder/config.json} for a {@code CLIPTextModel}, with the ids
     * of the start, end and padding tokens.
     */
    public ObjectNode toJson(int startId, int endId, int padId) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.putArray("architectures").add("CLIPTextModel");
        n.put("attention_dropout", 0.0);
        n.put("bos_token_id", startId);
        n.put("eos_token_id", endId);
        n.put("hidden_act", hiddenAct);
        n.put("hidden_size", hiddenSize);
        n.put("initializer_factor", 1.0);
        n.put("initializer_range", 0.02);
        n.put("intermediate_size", intermediateSize);
        n.put("layer_norm_eps", layerNormEps);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("model_type", "clip_text_model");
        n.put("num_attention_heads", numAttentionHeads);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("pad_token_id", padId);
        n.put("projection_dim", hiddenSize);
        n.put("torch_dtype", "float32");
        n.put("vocab_size", vocabSize);
        return n;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
