package dev.perfusion.djl.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code unet/config.json} of a Stable Diffusion 1.x or 2.x {@code UNet2DConditionModel}. Fields diffusers
 * writes as "an int or a list per block" are expanded to lists. Features this port does not implement (class or
 * addition embeddings, other block types) are refused by name rather than ignored.
 *
 * @param inChannels            latent channels in
 * @param outChannels           channels out
 * @param blockOutChannels      channels of each resolution level
 * @param layersPerBlock        ResNet layers per down block (up blocks have one more)
 * @param downBlockTypes        "CrossAttnDownBlock2D" or "DownBlock2D" per level
 * @param upBlockTypes          "UpBlock2D" or "CrossAttnUpBlock2D" per level
 * @param crossAttentionDim     width of the text encodings
 * @param attentionHeads        attention heads per level (SD 1.x writes them as {@code attention_head_dim})
 * @param normNumGroups         groups of every group norm
 * @param normEps               epsilon of the ResNet group norms
 * @param flipSinToCos          order of the timestep embedding halves
 * @param freqShift             timestep embedding frequency shift
 * @param downsamplePadding     padding of the downsampling convolutions
 * @param useLinearProjection   SD 2.x: linear instead of 1x1-conv projections around transformers
 * @param transformerLayers     transformer blocks per attention, per level
 * @param sampleSize            default latent side
 */
public record UNetConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, int layersPerBlock,
        List<String> downBlockTypes, List<String> upBlockTypes, int crossAttentionDim, List<Integer> attentionHeads,
        int normNumGroups, double normEps, boolean flipSinToCos, int freqShift, int downsamplePadding,
        boolean useLinearProjection, List<Integer> transformerLayers, int sampleSize) {

    static final String CROSS_DOWN = "CrossAttnDownBlock2D";
    static final String DOWN = "DownBlock2D";
    static final String CROSS_UP = "CrossAttnUpBlock2D";
    static final String UP = "UpBlock2D";

    public UNetConfig {
        int levels = blockOutChannels.size();
        if (levels == 0 || downBlockTypes.size() != levels || upBlockTypes.size() != levels
                || attentionHeads.size() != levels || transformerLayers.size() != levels) {
            throw new IllegalArgumentException("UNet config has " + levels + " block_out_channels but "
                    + downBlockTypes.size() + " down blocks, " + upBlockTypes.size() + " up blocks, "
                    + attentionHeads.size() + " head counts and " + transformerLayers.size() + " transformer depths");
        }
        for (String t : downBlockTypes) {
            if (!t.equals(CROSS_DOWN) && !t.equals(DOWN)) {
                throw new IllegalArgumentException("down block type '" + t + "' is not supported (" + CROSS_DOWN
                        + ", " + DOWN + ")");
            }
        }
        for (String t : upBlockTypes) {
            if (!t.equals(CROSS_UP) && !t.equals(UP)) {
                throw new IllegalArgumentException("up block type '" + t + "' is not supported (" + CROSS_UP + ", "
                        + UP + ")");
            }
        }
        for (int c : blockOutChannels) {
            if (c % normNumGroups != 0) {
                throw new IllegalArgumentException(c + " channels are not divisible by norm_num_groups "
                        + normNumGroups);
            }
        }
        blockOutChannels = List.copyOf(blockOutChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        attentionHeads = List.copyOf(attentionHeads);
        transformerLayers = List.copyOf(transformerLayers);
    }

    /** The width of the time embedding: four times the first level's channels. */
    public int timeEmbedDim() {
        return blockOutChannels.get(0) * 4;
    }

    /** The config as diffusers writes {@code unet/config.json} for an SD 1.x-style {@code UNet2DConditionModel}. */
    public ObjectNode toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("_class_name", "UNet2DConditionModel");
        n.put("act_fn", "silu");
        ArrayNode heads = n.putArray("attention_head_dim");
        attentionHeads.forEach(heads::add);
        ArrayNode channels = n.putArray("block_out_channels");
        blockOutChannels.forEach(channels::add);
        n.put("center_input_sample", false);
        n.put("cross_attention_dim", crossAttentionDim);
        ArrayNode down = n.putArray("down_block_types");
        downBlockTypes.forEach(down::add);
        n.put("downsample_padding", downsamplePadding);
        n.put("flip_sin_to_cos", flipSinToCos);
        n.put("freq_shift", freqShift);
        n.put("in_channels", inChannels);
        n.put("layers_per_block", layersPerBlock);
        n.put("mid_block_scale_factor", 1);
        n.put("norm_eps", normEps);
        n.put("norm_num_groups", normNumGroups);
        n.put("out_channels", outChannels);
        n.put("sample_size", sampleSize);
        ArrayNode depths = n.putArray("transformer_layers_per_block");
        transformerLayers.forEach(depths::add);
        ArrayNode up = n.putArray("up_block_types");
        upBlockTypes.forEach(up::add);
        n.put("use_linear_projection", useLinearProjection);
        return n;
    }

    /** Reads {@code config.json}; unsupported features and malformed values name themselves. */
    public static UNetConfig read(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        try {
            return parse(n);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new FileFormatException(file, "is not a supported UNet2DConditionModel config: " + e.getMessage(), e);
        }
    }

    private static UNetConfig parse(JsonNode n) {
        for (String key : List.of("class_embed_type", "addition_embed_type", "time_cond_proj_dim", "encoder_hid_dim",
                "num_class_embeds")) {
            if (n.hasNonNull(key)) {
                throw new IllegalArgumentException(key + " is set, which this port does not implement");
            }
        }
        String mid = text(n, "mid_block_type", "UNetMidBlock2DCrossAttn");
        if (!mid.equals("UNetMidBlock2DCrossAttn")) {
            throw new IllegalArgumentException("mid_block_type '" + mid + "' is not supported");
        }
        for (var check : List.of(new String[] {"act_fn", "silu"}, new String[] {"resnet_time_scale_shift", "default"},
                new String[] {"time_embedding_type", "positional"})) {
            String value = text(n, check[0], check[1]);
            if (!value.equals(check[1])) {
                throw new IllegalArgumentException(check[0] + " '" + value + "' is not supported (" + check[1] + ")");
            }
        }
        List<Integer> channels = ints(n.get("block_out_channels"), -1);
        int levels = channels.size();
        JsonNode heads = n.hasNonNull("num_attention_heads") ? n.get("num_attention_heads")
                : n.get("attention_head_dim");
        return new UNetConfig(n.path("in_channels").asInt(4), n.path("out_channels").asInt(4), channels,
                n.path("layers_per_block").asInt(2), strings(n.get("down_block_types")),
                strings(n.get("up_block_types")), n.path("cross_attention_dim").asInt(1280),
                heads == null ? ints(null, levels, 8) : ints(heads, levels), n.path("norm_num_groups").asInt(32),
                n.path("norm_eps").asDouble(1e-5), n.path("flip_sin_to_cos").asBoolean(true),
                n.path("freq_shift").asInt(0), n.path("downsample_padding").asInt(1),
                n.path("use_linear_projection").asBoolean(false),
                ints(n.get("transformer_layers_per_block"), levels, 1), n.path("sample_size").asInt(64));
    }

    private static String text(JsonNode n, String key, String fallback) {
        return n.hasNonNull(key) ? n.get(key).asText() : fallback;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode value, int levels) {
        return ints(value, levels, 0);
    }

    /** An int repeated per level, or a list; {@code fallback} when absent. */
    private static List<Integer> ints(JsonNode value, int levels, int fallback) {
        List<Integer> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            for (int i = 0; i < levels; i++) {
                out.add(fallback);
            }
        } else if (value.isArray()) {
            value.forEach(e -> out.add(e.asInt()));
        } else {
            for (int i = 0; i < levels; i++) {
                out.add(value.asInt());
            }
        }
        return out;
    }
}
