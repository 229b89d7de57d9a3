package dev.perfusion.core.world;

import java.util.Objects;

/**
 * The identity of one object instance: what stays the same when it is drawn in another place, size or scene.
 *
 * @param kind      its kind, the supercategory
 * @param colour    its main colour, the one captions name
 * @param accent    the colour of its pattern
 * @param detail    the colour of its detail part (door, centre, eyes), where its kind has one
 * @param pattern   how its body is decorated
 * @param shape     first shape parameter in [0, 1] (points of a star, height of a fish, ...)
 * @param shape2    second shape parameter in [0, 1]
 * @param period    pattern period parameter in [0, 1]
 * @param across    whether stripes run across (horizontal bands) rather than along
 */
public record ObjectSpec(Kind kind, WorldColour colour, WorldColour accent, WorldColour detail, Pattern pattern,
        double shape, double shape2, double period, boolean across) {

    public ObjectSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(accent, "accent");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(pattern, "pattern");
        for (double p : new double[] {shape, shape2, period}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("shape and pattern parameters must be in [0, 1], got " + p);
            }
        }
        if (pattern != Pattern.PLAIN && accent == colour) {
            throw new IllegalArgumentException("a patterned object needs an accent colour other than its own");
        }
    }

    /** The colour of a point of the given part at local (u, v). */
    int colourOf(Part part, double u, double v) {
        return switch (part) {
            case BODY -> patterned(u, v) ? accent.rgb() : colour.rgb();
            case SHADE -> Colours.scale(colour.rgb(), 0.85);
            case DETAIL -> detail.rgb();
            case TRUNK -> 0x734B28;
            case EYE -> 0x141414;
            case NOSE -> 0xEB7896;
            case WINDOW -> 0xC8E6FA;
            case NONE -> throw new IllegalArgumentException("no colour outside the object");
        };
    }

    private boolean patterned(double u, double v) {
        double p = 0.3 + 0.25 * period;
        return switch (pattern) {
            case PLAIN -> false;
            case STRIPES -> {
                double q = (across ? v : u) / p + 0.25;
                yield q - Math.floor(q) < 0.38;
            }
            case SPOTS -> {
                double cu = u / p - Math.floor(u / p) - 0.5;
                double cv = v / p - Math.floor(v / p) - 0.5;
                yield cu * cu + cv * cv <= 0.27 * 0.27;
            }
        };
    }
}
