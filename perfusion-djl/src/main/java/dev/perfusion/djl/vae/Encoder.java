package dev.perfusion.djl.vae;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.unet.Downsample2D;
import dev.perfusion.djl.unet.ResnetBlock2D;
import dev.perfusion.djl.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/** The VAE encoder ({@code encoder.*}): image to the mean and log-variance of the latent, before quant_conv. */
final class Encoder {

    private final Conv2d convIn;
    private final List<List<ResnetBlock2D>> levels;
    private final List<Downsample2D> downsamplers;
    private final VaeMidBlock mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private Encoder(Conv2d convIn, List<List<ResnetBlock2D>> levels, List<Downsample2D> downsamplers, VaeMidBlock mid,
            GroupNorm normOut, Conv2d convOut) {
        this.convIn = convIn;
        this.levels = levels;
        this.downsamplers = downsamplers;
        this.mid = mid;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    static Encoder load(Weights store, VaeConfig c) throws FileFormatException {
        List<Integer> channels = c.blockOutChannels();
        int groups = c.normNumGroups();
        List<List<ResnetBlock2D>> levels = new ArrayList<>();
        List<Downsample2D> downsamplers = new ArrayList<>();
        long in = channels.get(0);
        for (int level = 0; level < channels.size(); level++) {
            long out = channels.get(level);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int i = 0; i < c.layersPerBlock(); i++) {
                resnets.add(ResnetBlock2D.load(store, "encoder.down_blocks." + level + ".resnets." + i,
                        i == 0 ? in : out, out, groups, 1e-6, 0));
            }
            levels.add(List.copyOf(resnets));
            if (level < channels.size() - 1) {
                downsamplers.add(Downsample2D.load(store, "encoder.down_blocks." + level + ".downsamplers.0", out, 0));
            }
            in = out;
        }
        long last = channels.get(channels.size() - 1);
        return new Encoder(Conv2d.load(store, "encoder.conv_in", c.inChannels(), channels.get(0), 3, 1, 1),
                List.copyOf(levels), List.copyOf(downsamplers), VaeMidBlock.load(store, "encoder.mid_block", last, groups),
                GroupNorm.load(store, "encoder.conv_norm_out", groups, last, 1e-6),
                Conv2d.load(store, "encoder.conv_out", last, 2L * c.latentChannels(), 3, 1, 1));
    }

    NDArray forward(NDArray image) {
        NDArray x = convIn.forward(image);
        for (int level = 0; level < levels.size(); level++) {
            for (ResnetBlock2D resnet : levels.get(level)) {
                x = resnet.forward(x, null);
            }
            if (level < downsamplers.size()) {
                x = downsamplers.get(level).forward(x);
            }
        }
        return convOut.forward(normOut.forwardSilu(mid.forward(x)));
    }
}
