package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.nn.Layout;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Scoped;
import dev.perfusion.djl.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The spatial transformer of a UNet level ({@code attentions.N}): group norm, projection in (1x1 conv, or linear
 * in SD 2.x), transformer blocks over the pixels as tokens, projection out, residual.
 */
final class Transformer2DModel {

    private final GroupNorm norm;
    private final Conv2d convIn;
    private final Linear linearIn;
    private final List<BasicTransformerBlock> blocks;
    private final Conv2d convOut;
    private final Linear linearOut;

    private Transformer2DModel(GroupNorm norm, Conv2d convIn, Linear linearIn, List<BasicTransformerBlock> blocks,
            Conv2d convOut, Linear linearOut) {
        this.norm = norm;
        this.convIn = convIn;
        this.linearIn = linearIn;
        this.blocks = blocks;
        this.convOut = convOut;
        this.linearOut = linearOut;
    }

    static Transformer2DModel load(Weights store, String prefix, UNetConfig c, long channels, int heads,
            int depth) throws FileFormatException {
        GroupNorm norm = GroupNorm.load(store, prefix + ".norm", c.normNumGroups(), channels, 1e-6);
        List<BasicTransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            blocks.add(BasicTransformerBlock.load(store, prefix + ".transformer_blocks." + i, channels,
                    c.crossAttentionDim(), heads));
        }
        if (c.useLinearProjection()) {
            return new Transformer2DModel(norm, null, Linear.load(store, prefix + ".proj_in", channels, channels, true),
                    List.copyOf(blocks), null, Linear.load(store, prefix + ".proj_out", channels, channels, true));
        }
        return new Transformer2DModel(norm, Conv2d.load(store, prefix + ".proj_in", channels, channels, 1, 1, 0), null,
                List.copyOf(blocks), Conv2d.load(store, prefix + ".proj_out", channels, channels, 1, 1, 0), null);
    }

    List<BasicTransformerBlock> blocks() {
        return blocks;
    }

    NDArray forward(NDArray x, TextConditioning text) {
        return Scoped.run(() -> compute(x, text), x);
    }

    private NDArray compute(NDArray x, TextConditioning text) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray hidden = norm.forward(x);
        if (convIn != null) {
            hidden = convIn.forward(hidden);
        }
        // Row-major tokens: the permuted view would pass its layout on to every residual sum (diffusers' sums take
        // the attention output's layout instead), and each layer norm after it would copy it back.
        hidden = Layout.contiguous(hidden.transpose(0, 2, 3, 1).reshape(b, h * w, c));
        if (linearIn != null) {
            hidden = linearIn.forward(hidden);
        }
        for (BasicTransformerBlock block : blocks) {
            NDArray previous = hidden;
            hidden = block.forward(previous, text);
            previous.close();
        }
        if (linearOut != null) {
            hidden = linearOut.forward(hidden);
        }
        hidden = Layout.contiguous(hidden.reshape(b, h, w, c).transpose(0, 3, 1, 2));
        if (convOut != null) {
            hidden = convOut.forward(hidden);
        }
        return hidden.add(x);
    }
}
