package dev.perfusion.djl.vae;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.unet.ResnetBlock2D;
import dev.perfusion.djl.weights.Weights;

/** The VAE's bottleneck ({@code mid_block}): ResNet, attention, ResNet, without time embedding. */
final class VaeMidBlock {

    private final ResnetBlock2D first;
    private final VaeAttentionBlock attention;
    private final ResnetBlock2D second;

    private VaeMidBlock(ResnetBlock2D first, VaeAttentionBlock attention, ResnetBlock2D second) {
        this.first = first;
        this.attention = attention;
        this.second = second;
    }

    static VaeMidBlock load(Weights store, String prefix, long channels, int groups) throws FileFormatException {
        return new VaeMidBlock(ResnetBlock2D.load(store, prefix + ".resnets.0", channels, channels, groups, 1e-6, 0),
                VaeAttentionBlock.load(store, prefix + ".attentions.0", channels, groups),
                ResnetBlock2D.load(store, prefix + ".resnets.1", channels, channels, groups, 1e-6, 0));
    }

    NDArray forward(NDArray x) {
        return second.forward(attention.forward(first.forward(x, null)), null);
    }
}
