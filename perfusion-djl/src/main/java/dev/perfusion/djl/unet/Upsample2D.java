package dev.perfusion.djl.unet;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.weights.WeightStore;

/** Doubles the resolution by nearest-neighbour repetition, then a 3x3 convolution ({@code upsamplers.0}). */
public final class Upsample2D {

    private final Conv2d conv;

    private Upsample2D(Conv2d conv) {
        this.conv = conv;
    }

    public static Upsample2D load(WeightStore store, String prefix, long channels) throws FileFormatException {
        return new Upsample2D(Conv2d.load(store, prefix + ".conv", channels, channels, 3, 1, 1));
    }

    public NDArray forward(NDArray x) {
        return conv.forward(x.repeat(2, 2).repeat(3, 2));
    }
}
