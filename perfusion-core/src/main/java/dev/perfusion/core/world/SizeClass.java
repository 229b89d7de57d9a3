package dev.perfusion.core.world;

import java.util.Locale;

/** How big an object is, as captions say it; radii in pixels of a 64-pixel picture. */
public enum SizeClass {
    SMALL(7.5, 9),
    MEDIUM(10.5, 12),
    LARGE(14, 16);

    private final double minRadius;
    private final double maxRadius;

    SizeClass(double minRadius, double maxRadius) {
        this.minRadius = minRadius;
        this.maxRadius = maxRadius;
    }

    public double minRadius() {
        return minRadius;
    }

    public double maxRadius() {
        return maxRadius;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
