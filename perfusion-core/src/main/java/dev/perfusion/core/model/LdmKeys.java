package dev.perfusion.core.model;




import java.util.Map;

/**
 * The tensor names of an original Stable Diffusion 1.x single-file checkpoint (the LDM layout:
 * {@code model.diffusion_model.*}, {@code first_stage_model.*}, {@code cond_stage_model.transformer.*}) for the
 * diffusers names the model code asks for.
 */
public final class LdmKeys {

    static final String UNET = "model.diffusion_model.";
    static final String VAE = "first_stage_model.";
    static final String TEXT = "cond_stage_model.transformer.text_model.";

    private static final Map<String, String> RESNET = Map.of("norm1", "in_layers.0", "conv1", "in_layers.2",
            "time_emb_proj", "emb_layers.1", "norm2", "out_layers.0", "conv2", "out_layers.3", "conv_shortcut",
            "skip_connection");
    private static final Map<String, String> VAE_ATTENTION = Map.of("group_norm", "norm", "to_q", "q", "to_k", "k",
            "to_v", "v", "to_out", "proj_out");

    private LdmKeys() {
    }

    public static KeyMap textEncoder() {
        return KeyMap.prefixed(TEXT);
    }

    public static KeyMap unet(UNetConfig config) {
        return new KeyMap() {
            @Override
            public String fileKey(String key) {
                return UNET + unetKey(key, config);
            }

            @Override
            public String scope() {
                return UNET;
            }
        };
    }

    public static KeyMap vae(VaeConfig config) {
        return new KeyMap() {
            @Override
            public String fileKey(String key) {
                return VAE + vaeKey(key, config.blockOutChannels().size());
            }

            @Override
            public boolean storedAsConv1x1(String key) {
                return key.contains(".mid_block.attentions.") && key.endsWith(".weight") && !key.contains("group_norm");
            }

            @Override
            public String scope() {
                return VAE;
            }
        };
    }

    static String unetKey(String key, UNetConfig config) {
        int n = config.layersPerBlock();
        String[] p = key.split("\\.");
        switch (p[0]) {
            case "time_embedding":
                return "time_embed." + (p[1].equals("linear_1") ? "0" : "2") + "." + p[2];
            case "conv_in":
                return "input_blocks.0.0." + p[1];
            case "conv_norm_out":
                return "out.0." + p[1];
            case "conv_out":
                return "out.2." + p[1];
            case "down_blocks": {
                int i = Integer.parseInt(p[1]);
                int j = Integer.parseInt(p[3]);
                return switch (p[2]) {
                    case "resnets" -> "input_blocks." + (1 + i * (n + 1) + j) + ".0." + resnet(p, 4);
                    case "attentions" -> "input_blocks." + (1 + i * (n + 1) + j) + ".1." + tail(p, 4);
                    default -> "input_blocks." + ((i + 1) * (n + 1)) + ".0.op." + tail(p, 5);
                };
            }
            case "mid_block": {
                int j = Integer.parseInt(p[2]);
                return p[1].equals("resnets") ? "middle_block." + (2 * j) + "." + resnet(p, 3)
                        : "middle_block.1." + tail(p, 3);
            }
            case "up_blocks": {
                int i = Integer.parseInt(p[1]);
                int j = Integer.parseInt(p[3]);
                boolean cross = config.upBlockTypes().get(i).startsWith("CrossAttn");
                return switch (p[2]) {
                    case "resnets" -> "output_blocks." + (i * (n + 1) + j) + ".0." + resnet(p, 4);
                    case "attentions" -> "output_blocks." + (i * (n + 1) + j) + ".1." + tail(p, 4);
                    default -> "output_blocks." + (i * (n + 1) + n) + "." + (cross ? 2 : 1) + ".conv." + tail(p, 5);
                };
            }
            default:
                throw new IllegalArgumentException("no single-file name for UNet tensor '" + key + "'");
        }
    }

    static String vaeKey(String key, int levels) {
        String[] p = key.split("\\.");
        if (p[0].equals("quant_conv") || p[0].equals("post_quant_conv")) {
            return key;
        }
        String side = p[0];
        switch (p[1]) {
            case "conv_in", "conv_out":
                return side + "." + p[1] + "." + tail(p, 2);
            case "conv_norm_out":
                return side + ".norm_out." + tail(p, 2);
            case "mid_block":
                if (p[2].equals("resnets")) {
                    return side + ".mid.block_" + (Integer.parseInt(p[3]) + 1) + "." + block(p, 4);
                }
                return side + ".mid.attn_1." + VAE_ATTENTION.get(p[4]) + "."
                        + tail(p, p[4].equals("to_out") ? 6 : 5);
            default:
                int i = Integer.parseInt(p[2]);
                boolean encoder = side.equals("encoder");
                int level = encoder ? i : levels - 1 - i;
                String direction = encoder ? "down" : "up";
                if (p[3].equals("resnets")) {
                    return side + "." + direction + "." + level + ".block." + p[4] + "." + block(p, 5);
                }
                return side + "." + direction + "." + level + (encoder ? ".downsample" : ".upsample") + ".conv."
                        + tail(p, 6);
        }
    }

    private static String resnet(String[] p, int from) {
        return RESNET.getOrDefault(p[from], p[from]) + (from + 1 < p.length ? "." + tail(p, from + 1) : "");
    }

    private static String block(String[] p, int from) {
        return (p[from].equals("conv_shortcut") ? "nin_shortcut" : p[from]) + "." + tail(p, from + 1);
    }

    private static String tail(String[] p, int from) {
        return String.join(".", java.util.Arrays.copyOfRange(p, from, p.length));
    }
}
