package dev.perfusion.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
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
        if (inChannels <= 0 || outChannels <= 0 || normNumGroups <= 0 || !Double.isFinite(scalingFactor)) {
            throw new IllegalArgumentException("VAE config needs positive channels and groups and a finite scale");
        }
        for (int c : blockOutChannels) {
            if (c % normNumGroups != 0) {
                throw new IllegalArgumentException(c + " channels are not divisible by norm_num_groups " + normNumGroups);
            }
        }
    }

    /** Reads {@code config.json}; unsupported or malformed values fail with the file and the key. */
    public static VaeConfig read(Path file) throws IOException {
        JsonConfig n = JsonConfig.read(file);
        List<Integer> channels = n.integers("block_out_channels", 1, 16_384, 8);
        for (String[] types : new String[][] {{"down_block_types", "DownEncoderBlock2D"},
                {"up_block_types", "UpDecoderBlock2D"}}) {
            if (n.has(types[0])) {
                List<String> given = n.strings(types[0]);
                if (given.size() != channels.size() || given.stream().anyMatch(t -> !t.equals(types[1]))) {
                    throw n.refuse("'" + types[0] + "' is " + given + "; this port implements " + channels.size()
                            + " x " + types[1]);
                }
            }
        }
        if (!n.flag("use_quant_conv", true) || !n.flag("use_post_quant_conv", true)) {
            throw n.refuse("describes a VAE without quant convolutions, which this port does not implement");
        }
        if (!n.flag("mid_block_add_attention", true)) {
            throw n.refuse("'mid_block_add_attention' is false, which this port does not implement");
        }
        if (n.has("shift_factor")) {
            throw n.refuse("'shift_factor' is set, which this port does not implement");
        }
        if (!n.text("act_fn", "silu").equals("silu")) {
            throw n.refuse("'act_fn' is '" + n.text("act_fn", "silu") + "'; this port implements only 'silu'");
        }
        try {
            return new VaeConfig(n.integer("in_channels", 3, 1, 64), n.integer("out_channels", 3, 1, 64), channels,
                    n.integer("layers_per_block", 1, 1, 16), n.integer("latent_channels", 4, 1, 64),
                    n.integer("norm_num_groups", 32, 1, 16_384), n.number("scaling_factor", 0.18215, 1e-6, 1e6));
        } catch (IllegalArgumentException e) {
            throw n.refuse("is not a supported AutoencoderKL config: " + e.getMessage());
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

}
