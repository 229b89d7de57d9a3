package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.djl.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * One level of the encoder half ({@code down_blocks.N}): {@code CrossAttnDownBlock2D} (ResNet then transformer,
 * per layer) or {@code DownBlock2D} (ResNets only), then a downsampler except at the last level. Every layer's
 * output is kept for the skip connections.
 */
final class DownBlock {

    private final List<ResnetBlock2D> resnets;
    private final List<Transformer2DModel> attentions;
    private final Downsample2D downsampler;

    private DownBlock(List<ResnetBlock2D> resnets, List<Transformer2DModel> attentions, Downsample2D downsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.downsampler = downsampler;
    }

    static DownBlock load(Weights store, UNetConfig c, int level) throws FileFormatException {
        String prefix = "down_blocks." + level;
        long in = level == 0 ? c.blockOutChannels().get(0) : c.blockOutChannels().get(level - 1);
        long out = c.blockOutChannels().get(level);
        boolean cross = c.downBlockTypes().get(level).equals(UNetConfig.CROSS_DOWN);
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<Transformer2DModel> attentions = new ArrayList<>();
        for (int i = 0; i < c.layersPerBlock(); i++) {
            resnets.add(ResnetBlock2D.load(store, prefix + ".resnets." + i, i == 0 ? in : out, out,
                    c.normNumGroups(), c.normEps(), c.timeEmbedDim()));
            if (cross) {
                attentions.add(Transformer2DModel.load(store, prefix + ".attentions." + i, c, out,
                        c.attentionHeads().get(level), c.transformerLayers().get(level)));
            }
        }
        boolean last = level == c.blockOutChannels().size() - 1;
        return new DownBlock(List.copyOf(resnets), List.copyOf(attentions),
                last ? null : Downsample2D.load(store, prefix + ".downsamplers.0", out, c.downsamplePadding()));
    }

    List<Transformer2DModel> attentions() {
        return attentions;
    }

    /** Runs the level, appending each layer's output to {@code skips}. */
    NDArray forward(NDArray x, NDArray time, TextConditioning text, List<NDArray> skips) {
        for (int i = 0; i < resnets.size(); i++) {
            x = resnets.get(i).forward(x, time);
            if (!attentions.isEmpty()) {
                x = attentions.get(i).forward(x, text);
            }
            skips.add(x);
        }
        if (downsampler != null) {
            x = downsampler.forward(x);
            skips.add(x);
        }
        return x;
    }
}
