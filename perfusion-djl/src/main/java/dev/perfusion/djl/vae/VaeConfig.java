package dev.perfusion.djl.vae;

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
 * The {@code vae/config.json} of an {@code AutoencoderKL}.
 *
 * @param inChannels       image channels (3)
 * @param outChannels      image channels out (3)
 * @param blockOutChannels channels per resolution level
 * @param layersPerBlock   ResNets per encoder level (decoder levels have one more)
 * @param latentChannels   latent channels (4)
 * @param normNumGroups    groups of every group norm
 * @param scalingFactor    latents are multiplied by it after encoding and divided before decoding
 */
public record VaeConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, int layersPerBlock,
        int latentChannels, int normNumGroups, double scalingFactor) {

    public VaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (blockOutChannels.isEmpty() || layersPerBlock <= 0 || latentChannels <= 0 || scalingFactor <= 0) {
            throw new IllegalArgumentException("VAE config needs block_out_channels, positive layers_per_block, "
                    + "latent_channels and scaling_factor");
        }
        for (int c : blockOutChannels) {
            if (c % normNumGroups != 0) {
                throw new IllegalArgumentException(c + " channels are not divisible by norm_num_groups " + normNumGroups);
            }
        }
    }

    /** Reads {@code config.json}; unsupported block types and options name themselves. */
    public static VaeConfig read(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        try {
            for (JsonNode t : n.path("down_block_types")) {
                require(t.asText().equals("DownEncoderBlock2D"), "down block type " + t);
            }
            for (JsonNode t : n.path("up_block_types")) {
                require(t.asText().equals("UpDecoderBlock2D"), "up block type " + t);
            }
            require(n.path("use_quant_conv").asBoolean(true) && n.path("use_post_quant_conv").asBoolean(true),
                    "a VAE without quant convolutions");
            require(n.path("mid_block_add_attention").asBoolean(true), "a VAE without mid-block attention");
            require(n.path("shift_factor").isMissingNode() || n.path("shift_factor").isNull(), "shift_factor");
            List<Integer> channels = new ArrayList<>();
            n.path("block_out_channels").forEach(c -> channels.add(c.asInt()));
            return new VaeConfig(n.path("in_channels").asInt(3), n.path("out_channels").asInt(3), channels,
                    n.path("layers_per_block").asInt(1), n.path("latent_channels").asInt(4),
                    n.path("norm_num_groups").asInt(32), n.path("scaling_factor").asDouble(0.18215));
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "is not a supported AutoencoderKL config: " + e.getMessage(), e);
        }
    }

    /**
     * The config as diffusers writes {@code vae/config.json} for an {@code AutoencoderKL}, with {@code sampleSize}
     * the image side it was trained at.
     */
    public ObjectNode toJson(int sampleSize) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("_class_name", "AutoencoderKL");
        n.put("act_fn", "silu");
        ArrayNode channels = n.putArray("block_out_channels");
        ArrayNode down = n.putArray("down_block_types");
        ArrayNode up = n.putArray("up_block_types");
        for (int c : blockOutChannels) {
            channels.add(c);
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        n.put("in_channels", inChannels);
        n.put("latent_channels", latentChannels);
        n.put("layers_per_block", layersPerBlock);
        n.put("norm_num_groups", normNumGroups);
        n.put("out_channels", outChannels);
        n.put("sample_size", sampleSize);
        n.put("scaling_factor", scalingFactor);
        return n;
    }

    /** The same config with another scaling factor. */
    public VaeConfig withScalingFactor(double factor) {
        return new VaeConfig(inChannels, outChannels, blockOutChannels, layersPerBlock, latentChannels, normNumGroups,
                factor);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException(what + " is not supported");
        }
    }
}
