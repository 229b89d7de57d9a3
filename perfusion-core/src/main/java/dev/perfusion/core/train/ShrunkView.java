package dev.perfusion.core.train;

import dev.perfusion.core.eval.Pictures;
import java.util.SplittableRandom;

/**
 * A training photo shown smaller: the square photo shrunk by {@code scale} and placed somewhere on a canvas of the same
 * side, the rest of the canvas filled with the shrunk photo's nearest border pixel, and its mask shrunk and placed
 * alike (zero outside). It is the zoom-out half of Custom Diffusion's scale augmentation: a subject photographed
 * large and centred is also trained small and off-centre, as it appears beside other objects.
 *
 * @param rgb  packed 0xRRGGBB pixels, {@code side} x {@code side}
 * @param mask the concept's coverage in [0, 1], same grid
 */
public record ShrunkView(int[] rgb, float[] mask) {

    /**
     * The photo shrunk by {@code scale} (in (0, 1]) with its top-left corner at {@code (x, y)} of the canvas, each
     * in [0, 1] of the free room ({@code side} minus the shrunk side).
     */
    public static ShrunkView of(int[] rgb, float[] mask, int side, double scale, double x, double y) {
        if (rgb.length != side * side || mask.length != side * side) {
            throw new IllegalArgumentException("expected " + side + "x" + side + " pixels and mask, got "
                    + rgb.length + " and " + mask.length + " values");
        }
        if (!(scale > 0 && scale <= 1) || !(x >= 0 && x <= 1) || !(y >= 0 && y <= 1)) {
            throw new IllegalArgumentException("scale must be in (0, 1] and the place in [0, 1], got scale " + scale
                    + " at (" + x + ", " + y + ")");
        }
        int small = Math.max(1, (int) Math.round(side * scale));
        int[] shrunk = Pictures.resize(rgb, side, small);
        float[] shrunkMask = Pictures.coverage(Pictures.resize(Pictures.grey(mask), side, small));
        int left = (int) Math.round(x * (side - small));
        int top = (int) Math.round(y * (side - small));
        int[] outRgb = new int[side * side];
        float[] outMask = new float[side * side];
        for (int row = 0; row < side; row++) {
            int sy = Math.max(0, Math.min(small - 1, row - top));
            boolean insideY = row >= top && row < top + small;
            for (int col = 0; col < side; col++) {
                int sx = Math.max(0, Math.min(small - 1, col - left));
                outRgb[row * side + col] = shrunk[sy * small + sx];
                if (insideY && col >= left && col < left + small) {
                    outMask[row * side + col] = shrunkMask[sy * small + sx];
                }
            }
        }
        return new ShrunkView(outRgb, outMask);
    }

    /** A view shrunk by a scale drawn uniformly from [{@code smallest}, 1] and placed anywhere, from {@code random}. */
    public static ShrunkView random(int[] rgb, float[] mask, int side, double smallest, SplittableRandom random) {
        if (!(smallest > 0 && smallest <= 1)) {
            throw new IllegalArgumentException("the smallest scale must be in (0, 1], got " + smallest);
        }
        double scale = smallest + random.nextDouble() * (1 - smallest);
        return of(rgb, mask, side, scale, random.nextDouble(), random.nextDouble());
    }
}
