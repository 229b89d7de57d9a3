package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.weights.Weights;

/**
 * Halves the resolution with a stride-2 3x3 convolution ({@code downsamplers.0}). With padding 0 (the VAE), the
 * input is first padded by one pixel on the right and bottom only, as diffusers does.
 */
public final class Downsample2D {

    private final Conv2d conv;
    private final boolean padRightBottom;

    private Downsample2D(Conv2d conv, boolean padRightBottom) {
        this.conv = conv;
        this.padRightBottom = padRightBottom;
    }

    public static Downsample2D load(Weights store, String prefix, long channels, int padding)
            throws FileFormatException {
        return new Downsample2D(Conv2d.load(store, prefix + ".conv", channels, channels, 3, 2, padding), padding == 0);
    }

    public NDArray forward(NDArray x) {
        return conv.forward(padRightBottom ? x.pad(new ai.djl.ndarray.types.Shape(0, 1, 0, 1), 0) : x);
    }
}
