package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.djl.NativeMemory;
import dev.perfusion.djl.nn.Activations;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.weights.WeightStore;
import dev.perfusion.djl.weights.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conditional UNet of Stable Diffusion 1.x (and 2.x shapes): predicts the noise in a latent at a timestep,
 * given text encodings. Built from {@code unet/config.json}; every weight is checked against it.
 */
public final class UNet2DConditionModel implements AutoCloseable {

    /** Weights from this size on (a full-size UNet, not a test model) make {@link NativeMemory} give its advice. */
    private static final long ALLOCATOR_ADVICE_BYTES = 256L << 20;

    private final UNetConfig config;
    private final NDManager manager;
    private final Linear timeLinear1;
    private final Linear timeLinear2;
    private final Conv2d convIn;
    private final List<DownBlock> downBlocks;
    private final MidBlock midBlock;
    private final List<UpBlock> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final List<CrossAttentionLayer> crossAttention;

    private UNet2DConditionModel(UNetConfig config, NDManager manager, Weights store) throws FileFormatException {
        this.config = config;
        this.manager = manager;
        int first = config.blockOutChannels().get(0);
        this.timeLinear1 = Linear.load(store, "time_embedding.linear_1", first, config.timeEmbedDim(), true);
        this.timeLinear2 = Linear.load(store, "time_embedding.linear_2", config.timeEmbedDim(), config.timeEmbedDim(),
                true);
        this.convIn = Conv2d.load(store, "conv_in", config.inChannels(), first, 3, 1, 1);
        List<DownBlock> downs = new ArrayList<>();
        for (int i = 0; i < config.blockOutChannels().size(); i++) {
            downs.add(DownBlock.load(store, config, i));
        }
        this.downBlocks = List.copyOf(downs);
        this.midBlock = MidBlock.load(store, config);
        List<UpBlock> ups = new ArrayList<>();
        for (int i = 0; i < config.blockOutChannels().size(); i++) {
            ups.add(UpBlock.load(store, config, i));
        }
        this.upBlocks = List.copyOf(ups);
        this.convNormOut = GroupNorm.load(store, "conv_norm_out", config.normNumGroups(), first, config.normEps());
        this.convOut = Conv2d.load(store, "conv_out", first, config.outChannels(), 3, 1, 1);
        this.crossAttention = collectCrossAttention();
    }

    /**
     * Loads a diffusers {@code unet/} folder: {@code config.json} and {@code diffusion_pytorch_model.safetensors}
     * (or its {@code .fp16} variant). Nothing is kept when a tensor is missing, misshapen or left over.
     */
    public static UNet2DConditionModel load(Path folder, NDManager parent) throws IOException {
        UNetConfig config = UNetConfig.read(folder.resolve("config.json"));
        return load(config, WeightStore.componentFile(folder, "diffusion_pytorch_model"), parent,
                KeyMap.prefixed(""));
    }

    /** Loads the UNet from {@code weights}, whose tensor names {@code keys} translates. */
    public static UNet2DConditionModel load(UNetConfig config, Path weights, NDManager parent, KeyMap keys)
            throws IOException {
        if (Files.size(weights) >= ALLOCATOR_ADVICE_BYTES) {
            NativeMemory.adviseOnce();
        }
        return WeightStore.load(weights, parent, keys, List.of(),
                (store, manager) -> new UNet2DConditionModel(config, manager, store));
    }

    /**
     * Builds the UNet of {@code config} from {@code weights}, its arrays owned by {@code manager}: a checkpoint, or a
     * fresh initialisation to train.
     */
    public static UNet2DConditionModel build(UNetConfig config, Weights weights, NDManager manager)
            throws FileFormatException {
        return new UNet2DConditionModel(config, manager, weights);
    }

    public UNetConfig config() {
        return config;
    }

    /** Every cross-attention layer, in execution order (down, mid, up): Perfusion's edit points. */
    public List<CrossAttentionLayer> crossAttentionLayers() {
        return crossAttention;
    }

    /**
     * The predicted noise, with plain cross-attention to {@code context}; for a UNet that reads every position
     * (a UNet that reads only words needs the prompts' end positions: {@link #forward(NDArray, NDArray,
     * TextConditioning)}).
     *
     * @param sample    latents (batch, in channels, height, width), any size
     * @param timesteps (batch), integer or fractional timesteps
     * @param context   text encodings (batch, tokens, cross attention width)
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context) {
        try (TextConditioning text = TextConditioning.of(context)) {
            return forward(sample, timesteps, text);
        }
    }

    /**
     * The predicted noise, with cross-attention as {@code text} sets it up (its keys and values are computed on the
     * first call and reused by later ones).
     *
     * @param sample    latents (batch, in channels, height, width), any size
     * @param timesteps (batch), integer or fractional timesteps
     * @param text      the text encodings and any edited cross-attention projections; with the prompts' end
     *                  positions where this UNet reads only words ({@code cross_attention_span})
     */
    public NDArray forward(NDArray sample, NDArray timesteps, TextConditioning text) {
        text.readSpan(config.crossAttentionSpan());
        NDArray time = timeLinear2.forward(Activations.silu(timeLinear1.forward(timestepEmbedding(timesteps))));
        NDArray x = convIn.forward(sample);
        List<NDArray> skips = new ArrayList<>();
        skips.add(x);
        for (DownBlock block : downBlocks) {
            x = block.forward(x, time, text, skips);
        }
        x = midBlock.forward(x, time, text);
        for (UpBlock block : upBlocks) {
            x = block.forward(x, time, text, skips);
        }
        return convOut.forward(convNormOut.forwardSilu(x));
    }

    /** Sinusoidal timestep features, computed in float32 in diffusers' order. */
    private NDArray timestepEmbedding(NDArray timesteps) {
        NDManager m = timesteps.getManager();
        int half = config.blockOutChannels().get(0) / 2;
        NDArray exponent = m.arange(0f, half, 1f).mul(-Math.log(10000)).div(half - config.freqShift());
        NDArray angles = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(exponent.exp().reshape(1, -1));
        NDArray sin = angles.sin();
        NDArray cos = angles.cos();
        return config.flipSinToCos() ? NDArrays.concat(new NDList(cos, sin), 1) : NDArrays.concat(new NDList(sin, cos), 1);
    }

    private List<CrossAttentionLayer> collectCrossAttention() {
        List<CrossAttentionLayer> out = new ArrayList<>();
        for (int i = 0; i < downBlocks.size(); i++) {
            add(out, "down_blocks." + i, downBlocks.get(i).attentions());
        }
        add(out, "mid_block", List.of(midBlock.attention()));
        for (int i = 0; i < upBlocks.size(); i++) {
            add(out, "up_blocks." + i, upBlocks.get(i).attentions());
        }
        return List.copyOf(out);
    }

    private static void add(List<CrossAttentionLayer> out, String prefix, List<Transformer2DModel> attentions) {
        for (int a = 0; a < attentions.size(); a++) {
            List<BasicTransformerBlock> blocks = attentions.get(a).blocks();
            for (int b = 0; b < blocks.size(); b++) {
                out.add(new CrossAttentionLayer(prefix + ".attentions." + a + ".transformer_blocks." + b + ".attn2",
                        blocks.get(b).crossAttention()));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
