package dev.perfusion.core.world;

import java.util.Objects;

/**
 * One object of a scene.
 *
 * @param spec      which instance
 * @param placement where it is drawn, in a 64-pixel picture
 * @param size      its size class
 */
public record PlacedObject(ObjectSpec spec, Placement placement, SizeClass size) {

    public PlacedObject {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(size, "size");
    }

    /** The region of the picture its centre is in. */
    public Region region() {
        return Region.of(placement.x() / World.SIZE, placement.y() / World.SIZE);
    }
}
