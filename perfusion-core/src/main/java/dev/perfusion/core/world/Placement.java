package dev.perfusion.core.world;

/**
 * Where and how big an object is drawn, in pixels of the picture's own size.
 *
 * @param x        centre, across
 * @param y        centre, down
 * @param radius   half the object's extent
 * @param rotation turn in radians, clockwise
 * @param mirrored whether drawn left-right mirrored
 */
public record Placement(double x, double y, double radius, double rotation, boolean mirrored) {

    public Placement {
        if (!(radius > 0)) {
            throw new IllegalArgumentException("radius must be positive, got " + radius);
        }
    }

    /** The same placement in a picture {@code factor} times the size. */
    public Placement scaled(double factor) {
        return new Placement(x * factor, y * factor, radius * factor, rotation, mirrored);
    }
}
