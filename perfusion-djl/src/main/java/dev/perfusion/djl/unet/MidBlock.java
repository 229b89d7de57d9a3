package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.djl.weights.Weights;

/** The bottleneck ({@code mid_block}, {@code UNetMidBlock2DCrossAttn}): ResNet, transformer, ResNet. */
final class MidBlock {

    private final ResnetBlock2D first;
    private final Transformer2DModel attention;
    private final ResnetBlock2D second;

    private MidBlock(ResnetBlock2D first, Transformer2DModel attention, ResnetBlock2D second) {
        this.first = first;
        this.attention = attention;
        this.second = second;
    }

    static MidBlock load(Weights store, UNetConfig c) throws FileFormatException {
        int last = c.blockOutChannels().size() - 1;
        long channels = c.blockOutChannels().get(last);
        return new MidBlock(
                ResnetBlock2D.load(store, "mid_block.resnets.0", channels, channels, c.normNumGroups(), c.normEps(),
                        c.timeEmbedDim()),
                Transformer2DModel.load(store, "mid_block.attentions.0", c, channels, c.attentionHeads().get(last),
                        c.transformerLayers().get(last)),
                ResnetBlock2D.load(store, "mid_block.resnets.1", channels, channels, c.normNumGroups(), c.normEps(),
                        c.timeEmbedDim()));
    }

    Transformer2DModel attention() {
        return attention;
    }

    NDArray forward(NDArray x, NDArray time, TextConditioning text) {
        return second.forward(attention.forward(first.forward(x, time), text), time);
    }
}
