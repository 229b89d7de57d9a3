package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.weights.Weights;

/**
 * Doubles the resolution by nearest-neighbour repetition, then a 3x3 convolution ({@code upsamplers.0}). Given a
 * target size that is not exactly double (odd sizes on the way down), it resizes to it with PyTorch's nearest rule
 * instead, as diffusers does with {@code upsample_size}.
 */
public final class Upsample2D {

    private final Conv2d conv;

    private Upsample2D(Conv2d conv) {
        this.conv = conv;
    }

    public static Upsample2D load(Weights store, String prefix, long channels) throws FileFormatException {
        return new Upsample2D(Conv2d.load(store, prefix + ".conv", channels, channels, 3, 1, 1));
    }

    public NDArray forward(NDArray x) {
        return conv.forward(x.repeat(2, 2).repeat(3, 2));
    }

    /** Upsamples {@code x} to {@code height} x {@code width}. */
    public NDArray forward(NDArray x, long height, long width) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (height == 2 * h && width == 2 * w) {
            return forward(x);
        }
        NDArray rows = x.get(new NDIndex(":, :, {}", nearest(x.getManager(), h, height)));
        return conv.forward(rows.get(new NDIndex(":, :, :, {}", nearest(x.getManager(), w, width))));
    }

    /** Source index of each output position: {@code floor(i * in / out)} in float32, as PyTorch computes it. */
    private static NDArray nearest(NDManager manager, long in, long out) {
        float scale = (float) in / out;
        long[] index = new long[(int) out];
        for (int i = 0; i < out; i++) {
            index[i] = Math.min((long) Math.floor(i * scale), in - 1);
        }
        return manager.create(index);
    }
}
