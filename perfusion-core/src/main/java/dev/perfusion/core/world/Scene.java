package dev.perfusion.core.world;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A picture of the world and its truth: the backdrop, the objects in drawing order, and for two objects how the first
 * stands to the second.
 *
 * @param backdrop the background
 * @param objects  one or two objects
 * @param relation how {@code objects[0]} stands to {@code objects[1]}; present exactly when there are two
 * @param texture  seed of the backdrop's texture
 */
public record Scene(Backdrop backdrop, List<PlacedObject> objects, Optional<Relation> relation, long texture) {

    public Scene {
        Objects.requireNonNull(backdrop, "backdrop");
        objects = List.copyOf(objects);
        Objects.requireNonNull(relation, "relation");
        if (objects.isEmpty() || objects.size() > 2 || relation.isPresent() != (objects.size() == 2)) {
            throw new IllegalArgumentException("a scene has one object, or two with a relation; got "
                    + objects.size() + " objects and relation " + relation);
        }
    }
}
