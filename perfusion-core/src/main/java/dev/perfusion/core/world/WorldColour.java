package dev.perfusion.core.world;

import java.util.Locale;

/** The named colours objects of the world are painted in, far enough apart that a pixel can be told by name. */
public enum WorldColour {
    RED(215, 40, 40),
    ORANGE(245, 140, 30),
    YELLOW(245, 215, 40),
    GREEN(40, 160, 60),
    BLUE(40, 80, 210),
    PURPLE(130, 60, 180),
    PINK(240, 120, 180),
    WHITE(250, 250, 250),
    BLACK(30, 30, 30),
    BROWN(125, 80, 45);

    private final int rgb;

    WorldColour(int r, int g, int b) {
        this.rgb = (r << 16) | (g << 8) | b;
    }

    /** Packed 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }

    /** The word captions use. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The colour of this palette nearest to {@code rgb} in RGB distance. */
    public static WorldColour nearest(int rgb) {
        WorldColour best = RED;
        int bestDistance = Integer.MAX_VALUE;
        for (WorldColour c : values()) {
            int d = Colours.distanceSquared(c.rgb, rgb);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }
}
