package dev.perfusion.core.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A distinctive instance the base model never sees in pretraining, for personalisation: anything that resembles it
 * (its {@code signature}) is left out of the world's training scenes. It comes with training views in several
 * scenes, their masks, and its supercategory.
 *
 * @param name        the concept's name, usable as {@code <name>} in prompts
 * @param description what makes it distinctive, in words
 * @param spec        the instance
 * @param signature   which instances count as resembling it, and so are never drawn in pretraining
 */
public record HeldOutConcept(String name, String description, ObjectSpec spec, Predicate<ObjectSpec> signature) {

    public HeldOutConcept {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        if (!signature.test(spec)) {
            throw new IllegalArgumentException("held-out concept " + name + " does not match its own signature");
        }
    }

    /** The everyday word for it: its kind's. */
    public String supercategory() {
        return spec.kind().word();
    }

    /**
     * Training views: the instance alone in {@code count} scenes, medium or large, near the middle, on varied
     * backdrops, drawn at {@code size} pixels; each with its mask. The same seed gives the same views.
     */
    public List<Rendering> views(int count, long seed, int size) {
        SplittableRandom random = new SplittableRandom(Noise.hash(seed, name.hashCode(), 0x71E75));
        List<Rendering> out = new ArrayList<>();
        Backdrop[] backdrops = Backdrop.values();
        int offset = random.nextInt(backdrops.length);
        for (int i = 0; out.size() < count; i++) {
            Backdrop backdrop = backdrops[(offset + i) % backdrops.length];
            if (World.clashes(spec.colour(), backdrop)) {
                continue;
            }
            SizeClass sizeClass = random.nextBoolean() ? SizeClass.MEDIUM : SizeClass.LARGE;
            double radius = sizeClass.minRadius() + random.nextDouble() * (sizeClass.maxRadius() - sizeClass.minRadius());
            Placement placement = new Placement(32 + random.nextDouble() * 10 - 5, 32 + random.nextDouble() * 10 - 5,
                    radius, World.rotation(spec.kind(), random), false);
            Scene scene = new Scene(backdrop, List.of(new PlacedObject(spec, placement, sizeClass)), Optional.empty(),
                    random.nextLong());
            out.add(Renderer.render(scene, size));
        }
        return out;
    }

    /** A scene with this instance placed as {@code template}'s first object is, for oracles and prompts. */
    public Scene placedAs(Scene template) {
        List<PlacedObject> objects = new ArrayList<>(template.objects());
        PlacedObject first = objects.get(0);
        objects.set(0, new PlacedObject(spec, first.placement(), first.size()));
        return new Scene(template.backdrop(), objects, template.relation(), template.texture());
    }
}
