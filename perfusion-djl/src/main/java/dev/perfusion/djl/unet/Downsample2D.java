package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.weights.WeightStore;

/** Halves the resolution with a stride-2 3x3 convolution ({@code downsamplers.0}). */
public final class Downsample2D {

    private final Conv2d conv;

    private Downsample2D(Conv2d conv) {
        this.conv = conv;
    }

    public static Downsample2D load(WeightStore store, String prefix, long channels, int padding)
            throws FileFormatException {
        return new Downsample2D(Conv2d.load(store, prefix + ".conv", channels, channels, 3, 2, padding));
    }

    public NDArray forward(NDArray x) {
        return conv.forward(x);
    }
}
