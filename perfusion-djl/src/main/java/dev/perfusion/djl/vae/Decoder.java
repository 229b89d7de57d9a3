package dev.perfusion.djl.vae;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.unet.ResnetBlock2D;
import dev.perfusion.djl.unet.Upsample2D;
import dev.perfusion.djl.weights.Weights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The VAE decoder ({@code decoder.*}): latent (after post_quant_conv) to image in [-1, 1] (unclamped). */
final class Decoder {

    private final Conv2d convIn;
    private final VaeMidBlock mid;
    private final List<List<ResnetBlock2D>> levels;
    private final List<Upsample2D> upsamplers;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private Decoder(Conv2d convIn, VaeMidBlock mid, List<List<ResnetBlock2D>> levels, List<Upsample2D> upsamplers,
            GroupNorm normOut, Conv2d convOut) {
        this.convIn = convIn;
        this.mid = mid;
        this.levels = levels;
        this.upsamplers = upsamplers;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    static Decoder load(Weights store, VaeConfig c) throws FileFormatException {
        List<Integer> reversed = new ArrayList<>(c.blockOutChannels());
        Collections.reverse(reversed);
        int groups = c.normNumGroups();
        long top = reversed.get(0);
        List<List<ResnetBlock2D>> levels = new ArrayList<>();
        List<Upsample2D> upsamplers = new ArrayList<>();
        long previous = top;
        for (int level = 0; level < reversed.size(); level++) {
            long out = reversed.get(level);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int i = 0; i <= c.layersPerBlock(); i++) {
                resnets.add(ResnetBlock2D.load(store, "decoder.up_blocks." + level + ".resnets." + i,
                        i == 0 ? previous : out, out, groups, 1e-6, 0));
            }
            levels.add(List.copyOf(resnets));
            if (level < reversed.size() - 1) {
                upsamplers.add(Upsample2D.load(store, "decoder.up_blocks." + level + ".upsamplers.0", out));
            }
            previous = out;
        }
        long first = c.blockOutChannels().get(0);
        return new Decoder(Conv2d.load(store, "decoder.conv_in", c.latentChannels(), top, 3, 1, 1),
                VaeMidBlock.load(store, "decoder.mid_block", top, groups), List.copyOf(levels), List.copyOf(upsamplers),
                GroupNorm.load(store, "decoder.conv_norm_out", groups, first, 1e-6),
                Conv2d.load(store, "decoder.conv_out", first, c.outChannels(), 3, 1, 1));
    }

    NDArray forward(NDArray latents) {
        NDArray x = mid.forward(convIn.forward(latents));
        for (int level = 0; level < levels.size(); level++) {
            for (ResnetBlock2D resnet : levels.get(level)) {
                x = resnet.forward(x, null);
            }
            if (level < upsamplers.size()) {
                x = upsamplers.get(level).forward(x);
            }
        }
        return convOut.forward(normOut.forwardSilu(x));
    }
}
