package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Activations;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Scoped;
import dev.perfusion.djl.weights.Weights;

/**
 * A ResNet block ({@code resnets.N}): two norm-SiLU-conv stages with the time embedding added between them and a
 * 1x1 shortcut where the channel count changes. The VAE's blocks have no time embedding.
 */
public final class ResnetBlock2D {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;

    private ResnetBlock2D(GroupNorm norm1, Conv2d conv1, Linear timeEmbProj, GroupNorm norm2, Conv2d conv2,
            Conv2d shortcut) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.timeEmbProj = timeEmbProj;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
    }

    /**
     * Loads {@code prefix}.
     *
     * @param timeEmbedDim width of the time embedding, or 0 for blocks without one (VAE)
     */
    public static ResnetBlock2D load(Weights store, String prefix, long in, long out, int groups, double eps,
            long timeEmbedDim) throws FileFormatException {
        return new ResnetBlock2D(
                GroupNorm.load(store, prefix + ".norm1", groups, in, eps),
                Conv2d.load(store, prefix + ".conv1", in, out, 3, 1, 1),
                timeEmbedDim > 0 ? Linear.load(store, prefix + ".time_emb_proj", timeEmbedDim, out, true) : null,
                GroupNorm.load(store, prefix + ".norm2", groups, out, eps),
                Conv2d.load(store, prefix + ".conv2", out, out, 3, 1, 1),
                in != out ? Conv2d.load(store, prefix + ".conv_shortcut", in, out, 1, 1, 0) : null);
    }

    /** {@code timeEmbedding}: (batch, timeEmbedDim), or null for blocks without one. */
    public NDArray forward(NDArray x, NDArray timeEmbedding) {
        return Scoped.run(() -> compute(x, timeEmbedding), x, timeEmbedding);
    }

    private NDArray compute(NDArray x, NDArray timeEmbedding) {
        NDArray h = conv1.forward(norm1.forwardSilu(x));
        if (timeEmbProj != null) {
            NDArray t = timeEmbProj.forward(Activations.silu(timeEmbedding));
            h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
        }
        h = conv2.forward(norm2.forwardSilu(h));
        return (shortcut != null ? shortcut.forward(x) : x).add(h);
    }
}
