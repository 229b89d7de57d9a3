package dev.perfusion.core.world;

/** Arithmetic on packed 0xRRGGBB colours. */
public final class Colours {

    private Colours() {
    }

    public static int red(int rgb) {
        return (rgb >> 16) & 0xff;
    }

    public static int green(int rgb) {
        return (rgb >> 8) & 0xff;
    }

    public static int blue(int rgb) {
        return rgb & 0xff;
    }

    public static int pack(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    /** Squared Euclidean distance in RGB. */
    public static int distanceSquared(int a, int b) {
        int dr = red(a) - red(b);
        int dg = green(a) - green(b);
        int db = blue(a) - blue(b);
        return dr * dr + dg * dg + db * db;
    }

    /** {@code rgb} with each channel multiplied by {@code factor}. */
    public static int scale(int rgb, double factor) {
        return pack(red(rgb) * factor, green(rgb) * factor, blue(rgb) * factor);
    }

    /** The mix {@code (1 - t) a + t b}. */
    public static int mix(int a, int b, double t) {
        return pack(red(a) + t * (red(b) - red(a)), green(a) + t * (green(b) - green(a)),
                blue(a) + t * (blue(b) - blue(a)));
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
