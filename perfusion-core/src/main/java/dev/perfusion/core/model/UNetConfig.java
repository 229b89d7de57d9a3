package dev.perfusion.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
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
 * @param crossAttentionSpan    which text positions cross-attention reads (this SDK's key
 *                              {@code cross_attention_span}; absent: all of them, as in Stable Diffusion)
 */
public record UNetConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, int layersPerBlock,
        List<String> downBlockTypes, List<String> upBlockTypes, int crossAttentionDim, List<Integer> attentionHeads,
        int normNumGroups, double normEps, boolean flipSinToCos, int freqShift, int downsamplePadding,
        boolean useLinearProjection, List<Integer> transformerLayers, int sampleSize,
        CrossAttentionSpan crossAttentionSpan) {

    public static final String CROSS_DOWN = "CrossAttnDownBlock2D";
    public static final String DOWN = "DownBlock2D";
    public static final String CROSS_UP = "CrossAttnUpBlock2D";
    public static final String UP = "UpBlock2D";

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
        for (int i = 0; i < levels; i++) {
            int c = blockOutChannels.get(i);
            if (normNumGroups <= 0 || c % normNumGroups != 0) {
                throw new IllegalArgumentException(c + " channels are not divisible by norm_num_groups "
                        + normNumGroups);
            }
            int h = attentionHeads.get(i);
            if (h <= 0 || c % h != 0) {
                throw new IllegalArgumentException(c + " channels of level " + i + " cannot be split into " + h
                        + " attention heads");
            }
            if (transformerLayers.get(i) <= 0) {
                throw new IllegalArgumentException("level " + i + " needs at least one transformer layer");
            }
        }
        if (inChannels <= 0 || outChannels <= 0 || layersPerBlock <= 0 || crossAttentionDim <= 0 || sampleSize <= 0
                || !(normEps > 0) || freqShift < 0 || downsamplePadding < 0) {
            throw new IllegalArgumentException("UNet config needs positive channels, layers, widths, size and eps");
        }
        if (blockOutChannels.get(0) % 2 != 0) {
            throw new IllegalArgumentException("the first level's " + blockOutChannels.get(0)
                    + " channels must be even (they carry the sinusoidal timestep features)");
        }
        if (freqShift >= blockOutChannels.get(0) / 2) {
            throw new IllegalArgumentException("freq_shift " + freqShift + " must be below half the first level's "
                    + "channels");
        }
        java.util.Objects.requireNonNull(crossAttentionSpan, "crossAttentionSpan");
        blockOutChannels = List.copyOf(blockOutChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        attentionHeads = List.copyOf(attentionHeads);
        transformerLayers = List.copyOf(transformerLayers);
    }

    /** This config with cross-attention reading {@code span}. */
    public UNetConfig withCrossAttentionSpan(CrossAttentionSpan span) {
        return new UNetConfig(inChannels, outChannels, blockOutChannels, layersPerBlock, downBlockTypes, upBlockTypes,
                crossAttentionDim, attentionHeads, normNumGroups, normEps, flipSinToCos, freqShift, downsamplePadding,
                useLinearProjection, transformerLayers, sampleSize, span);
    }

    /** The width of the time embedding: four times the first level's channels. */
    public int timeEmbedDim() {
        return blockOutChannels.get(0) * 4;
    }

    /**
     * The config as diffusers writes {@code unet/config.json} for an SD 1.x-style {@code UNet2DConditionModel}, with
     * {@code cross_attention_span} where it is not {@link CrossAttentionSpan#ALL}.
     */
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
        if (crossAttentionSpan != CrossAttentionSpan.ALL) {
            n.put(SPAN_KEY, crossAttentionSpan.id());
        }
        return n;
    }

    /** The config key of {@link #crossAttentionSpan}. */
    public static final String SPAN_KEY = "cross_attention_span";

    /** Largest channel count, context width or head count accepted. */
    static final int MAX_WIDTH = 16_384;
    /** Largest latent side accepted as a default size. */
    static final int MAX_SAMPLE_SIZE = 1024;

    /**
     * Reads {@code config.json}; unsupported features, malformed values and inconsistent ones fail with the file and
     * the key.
     */
    public static UNetConfig read(Path file) throws IOException {
        JsonConfig n = JsonConfig.read(file);
        for (String key : List.of("class_embed_type", "addition_embed_type", "time_cond_proj_dim", "encoder_hid_dim",
                "num_class_embeds", "time_embedding_dim", "time_embedding_act_fn", "timestep_post_act",
                "cross_attention_norm", "conv_in_kernel", "conv_out_kernel")) {
            if (n.has(key) && !isDefault(n, key)) {
                throw n.refuse("'" + key + "' is set, which this port does not implement");
            }
        }
        for (String[] only : new String[][] {{"mid_block_type", "UNetMidBlock2DCrossAttn"}, {"act_fn", "silu"},
                {"resnet_time_scale_shift", "default"}, {"time_embedding_type", "positional"},
                {"attention_type", "default"}}) {
            String value = n.text(only[0], only[1]);
            if (!value.equals(only[1])) {
                throw n.refuse("'" + only[0] + "' is '" + value + "'; this port implements only '" + only[1] + "'");
            }
        }
        for (String key : List.of("upcast_attention", "dual_cross_attention", "only_cross_attention",
                "center_input_sample", "resnet_skip_time_act", "class_embeddings_concat")) {
            if (n.flag(key, false)) {
                throw n.refuse("'" + key + "' is true; this port implements only false");
            }
        }
        for (String[] one : new String[][] {{"mid_block_scale_factor", "1"}, {"resnet_out_scale_factor", "1"}}) {
            double value = n.number(one[0], 1.0, -1e9, 1e9);
            if (value != 1.0) {
                throw n.refuse("'" + one[0] + "' is " + value + "; this port implements only 1");
            }
        }
        List<Integer> channels = n.integers("block_out_channels", 1, MAX_WIDTH, 8);
        int levels = channels.size();
        List<Integer> heads = n.has("num_attention_heads")
                ? n.perLevel("num_attention_heads", levels, 8, 1, MAX_WIDTH)
                : n.perLevel("attention_head_dim", levels, 8, 1, MAX_WIDTH);
        CrossAttentionSpan span;
        try {
            span = CrossAttentionSpan.of(n.text(SPAN_KEY, CrossAttentionSpan.ALL.id()));
        } catch (IllegalArgumentException e) {
            throw n.refuse("'" + SPAN_KEY + "': " + e.getMessage());
        }
        try {
            return new UNetConfig(n.integer("in_channels", 4, 1, 64), n.integer("out_channels", 4, 1, 64), channels,
                    n.integer("layers_per_block", 2, 1, 16), n.strings("down_block_types"), n.strings("up_block_types"),
                    n.integer("cross_attention_dim", 1280, 1, MAX_WIDTH), heads,
                    n.integer("norm_num_groups", 32, 1, MAX_WIDTH), n.number("norm_eps", 1e-5, 1e-12, 1),
                    n.flag("flip_sin_to_cos", true), n.integer("freq_shift", 0, 0, 1_000_000),
                    n.integer("downsample_padding", 1, 0, 8), n.flag("use_linear_projection", false),
                    n.perLevel("transformer_layers_per_block", levels, 1, 1, 64),
                    n.integer("sample_size", 64, 1, MAX_SAMPLE_SIZE), span);
        } catch (IllegalArgumentException e) {
            throw n.refuse("is not a supported UNet2DConditionModel config: " + e.getMessage());
        }
    }

    /** Whether an unsupported key holds its harmless default (diffusers writes some keys with them). */
    private static boolean isDefault(JsonConfig n, String key) throws java.io.IOException {
        return switch (key) {
            case "conv_in_kernel", "conv_out_kernel" -> n.integer(key, 3, Integer.MIN_VALUE, Integer.MAX_VALUE) == 3;
            default -> false;
        };
    }
}
