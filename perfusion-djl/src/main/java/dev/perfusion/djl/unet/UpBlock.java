package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.djl.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * One level of the decoder half ({@code up_blocks.N}): {@code CrossAttnUpBlock2D} or {@code UpBlock2D}, one more
 * layer than the down blocks, each concatenating a skip connection first, then an upsampler except at the last
 * level.
 */
final class UpBlock {

    private final List<ResnetBlock2D> resnets;
    private final List<Transformer2DModel> attentions;
    private final Upsample2D upsampler;

    private UpBlock(List<ResnetBlock2D> resnets, List<Transformer2DModel> attentions, Upsample2D upsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.upsampler = upsampler;
    }

    static UpBlock load(Weights store, UNetConfig c, int level) throws FileFormatException {
        String prefix = "up_blocks." + level;
        List<Integer> reversed = new ArrayList<>(c.blockOutChannels());
        java.util.Collections.reverse(reversed);
        int levels = reversed.size();
        long out = reversed.get(level);
        long previous = reversed.get(Math.max(level - 1, 0));
        long in = reversed.get(Math.min(level + 1, levels - 1));
        int encoderLevel = levels - 1 - level;
        boolean cross = c.upBlockTypes().get(level).equals(UNetConfig.CROSS_UP);
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<Transformer2DModel> attentions = new ArrayList<>();
        for (int i = 0; i <= c.layersPerBlock(); i++) {
            long skip = i == c.layersPerBlock() ? in : out;
            long resnetIn = i == 0 ? previous : out;
            resnets.add(ResnetBlock2D.load(store, prefix + ".resnets." + i, resnetIn + skip, out, c.normNumGroups(),
                    c.normEps(), c.timeEmbedDim()));
            if (cross) {
                attentions.add(Transformer2DModel.load(store, prefix + ".attentions." + i, c, out,
                        c.attentionHeads().get(encoderLevel), c.transformerLayers().get(encoderLevel)));
            }
        }
        boolean last = level == levels - 1;
        return new UpBlock(List.copyOf(resnets), List.copyOf(attentions),
                last ? null : Upsample2D.load(store, prefix + ".upsamplers.0", out));
    }

    List<Transformer2DModel> attentions() {
        return attentions;
    }

    /** Runs the level, taking its skip connections from the end of {@code skips}. */
    NDArray forward(NDArray x, NDArray time, TextConditioning text, List<NDArray> skips) {
        for (int i = 0; i < resnets.size(); i++) {
            NDArray skip = skips.remove(skips.size() - 1);
            x = resnets.get(i).forward(NDArrays.concat(new NDList(x, skip), 1), time);
            if (!attentions.isEmpty()) {
                x = attentions.get(i).forward(x, text);
            }
        }
        if (upsampler == null) {
            return x;
        }
        NDArray nextSkip = skips.get(skips.size() - 1);
        return upsampler.forward(x, nextSkip.getShape().get(2), nextSkip.getShape().get(3));
    }
}
