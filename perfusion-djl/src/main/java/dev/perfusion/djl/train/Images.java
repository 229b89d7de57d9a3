package dev.perfusion.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Pictures as the models take them: (batch, 3, side, side) in [-1, 1], from packed 0xRRGGBB pixels. */
public final class Images {

    private Images() {
    }

    /** A batch of square pictures of {@code side} pixels. */
    public static NDArray batch(NDManager manager, List<int[]> pictures, int side) {
        int plane = side * side;
        float[] values = new float[pictures.size() * 3 * plane];
        for (int n = 0; n < pictures.size(); n++) {
            int[] rgb = pictures.get(n);
            if (rgb.length != plane) {
                throw new IllegalArgumentException("picture " + n + " has " + rgb.length + " pixels, expected "
                        + plane);
            }
            int base = n * 3 * plane;
            for (int p = 0; p < plane; p++) {
                values[base + p] = ((rgb[p] >> 16) & 0xff) / 127.5f - 1f;
                values[base + plane + p] = ((rgb[p] >> 8) & 0xff) / 127.5f - 1f;
                values[base + 2 * plane + p] = (rgb[p] & 0xff) / 127.5f - 1f;
            }
        }
        return manager.create(values, new Shape(pictures.size(), 3, side, side));
    }

    /** Masks (batch, 1, side, side) from per-pixel coverage. */
    public static NDArray masks(NDManager manager, List<float[]> masks, int side) {
        float[] values = new float[masks.size() * side * side];
        for (int n = 0; n < masks.size(); n++) {
            System.arraycopy(masks.get(n), 0, values, n * side * side, side * side);
        }
        return manager.create(values, new Shape(masks.size(), 1, side, side));
    }
}
