package dev.perfusion.core.eval;

import dev.perfusion.core.world.Colours;
import java.awt.image.BufferedImage;

/** Square pictures of packed 0xRRGGBB pixels. */
public final class Pictures {

    private Pictures() {
    }

    /** The picture as an RGB {@link BufferedImage}, {@code size} pixels a side. */
    public static BufferedImage image(int[] rgb, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, size, size, rgb, 0, size);
        return image;
    }

    /**
     * A coverage map (a mask, each value in [0, 1]) as a grey picture, each value rounded to one of 256 levels, so that
     * it can be cropped and resampled as pictures are; {@link #coverage} reads it back.
     */
    public static int[] grey(float[] coverage) {
        int[] rgb = new int[coverage.length];
        for (int i = 0; i < rgb.length; i++) {
            int v = Math.round(Math.max(0, Math.min(1, coverage[i])) * 255);
            rgb[i] = (v << 16) | (v << 8) | v;
        }
        return rgb;
    }

    /** The coverage map a {@link #grey} picture holds, each value in [0, 1]. */
    public static float[] coverage(int[] grey) {
        float[] out = new float[grey.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (grey[i] & 0xff) / 255f;
        }
        return out;
    }

    /** The picture resampled from {@code from} to {@code to} pixels a side, bilinearly (pixel centres aligned). */
    public static int[] resize(int[] rgb, int from, int to) {
        if (rgb.length != from * from || to <= 0) {
            throw new IllegalArgumentException("expected " + from + "x" + from + " pixels and a positive target side");
        }
        if (from == to) {
            return rgb.clone();
        }
        int[] out = new int[to * to];
        double scale = (double) from / to;
        for (int y = 0; y < to; y++) {
            double sy = Math.max(0, Math.min(from - 1, (y + 0.5) * scale - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(from - 1, y0 + 1);
            double fy = sy - y0;
            for (int x = 0; x < to; x++) {
                double sx = Math.max(0, Math.min(from - 1, (x + 0.5) * scale - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(from - 1, x0 + 1);
                double fx = sx - x0;
                int top = Colours.mix(rgb[y0 * from + x0], rgb[y0 * from + x1], fx);
                int bottom = Colours.mix(rgb[y1 * from + x0], rgb[y1 * from + x1], fx);
                out[y * to + x] = Colours.mix(top, bottom, fy);
            }
        }
        return out;
    }
}
