package dev.perfusion.core.world;

import java.util.List;
import java.util.Optional;

/** The world's held-out concepts: eight distinctive instances, one or more per kind, never drawn in pretraining. */
public final class HeldOutConcepts {

    private static final List<HeldOutConcept> ALL = List.of(
            new HeldOutConcept("nemo", "a plump blue fish with yellow stripes and a large tail",
                    new ObjectSpec(Kind.FISH, WorldColour.BLUE, WorldColour.YELLOW, WorldColour.BLACK,
                            Pattern.STRIPES, 0.9, 0.95, 0.1, false),
                    s -> s.kind() == Kind.FISH && s.pattern() == Pattern.STRIPES && s.accent() == WorldColour.YELLOW),
            new HeldOutConcept("cottage", "a wide white house with a round red door",
                    new ObjectSpec(Kind.HOUSE, WorldColour.WHITE, WorldColour.BLACK, WorldColour.RED,
                            Pattern.PLAIN, 0.9, 0.9, 0.5, false),
                    s -> s.kind() == Kind.HOUSE && s.shape2() >= 0.5 && s.detail() == WorldColour.RED),
            new HeldOutConcept("sparkle", "an orange seven-pointed star with thin points and purple spots",
                    new ObjectSpec(Kind.STAR, WorldColour.ORANGE, WorldColour.PURPLE, WorldColour.BLACK,
                            Pattern.SPOTS, 0.95, 0.0, 0.2, false),
                    s -> s.kind() == Kind.STAR && s.shape() >= 2 / 2.999 && s.pattern() == Pattern.SPOTS),
            new HeldOutConcept("tiger", "an orange cat with brown stripes across, green eyes and tall ears",
                    new ObjectSpec(Kind.CAT, WorldColour.ORANGE, WorldColour.BROWN, WorldColour.GREEN,
                            Pattern.STRIPES, 0.95, 0.9, 0.3, true),
                    s -> s.kind() == Kind.CAT && s.pattern() == Pattern.STRIPES && s.detail() == WorldColour.GREEN),
            new HeldOutConcept("giftbox", "a tall purple box with white spots",
                    new ObjectSpec(Kind.BOX, WorldColour.PURPLE, WorldColour.WHITE, WorldColour.BLACK,
                            Pattern.SPOTS, 0.95, 0.2, 0.3, false),
                    s -> s.kind() == Kind.BOX && s.pattern() == Pattern.SPOTS && s.accent() == WorldColour.WHITE),
            new HeldOutConcept("fir", "a green pine tree with red spots",
                    new ObjectSpec(Kind.TREE, WorldColour.GREEN, WorldColour.RED, WorldColour.BLACK,
                            Pattern.SPOTS, 0.8, 0.8, 0.2, false),
                    s -> s.kind() == Kind.TREE && s.shape() >= 0.5 && s.pattern() == Pattern.SPOTS
                            && s.accent() == WorldColour.RED),
            new HeldOutConcept("daisy", "a blue eight-petalled flower with a red center",
                    new ObjectSpec(Kind.FLOWER, WorldColour.BLUE, WorldColour.WHITE, WorldColour.RED,
                            Pattern.PLAIN, 0.95, 0.9, 0.5, false),
                    s -> s.kind() == Kind.FLOWER && s.detail() == WorldColour.RED && s.shape() >= 0.75),
            new HeldOutConcept("halo", "a thick yellow ring with black stripes",
                    new ObjectSpec(Kind.RING, WorldColour.YELLOW, WorldColour.BLACK, WorldColour.BLACK,
                            Pattern.STRIPES, 0.95, 1.0, 0.3, false),
                    s -> s.kind() == Kind.RING && s.pattern() == Pattern.STRIPES && s.accent() == WorldColour.BLACK));

    private HeldOutConcepts() {
    }

    /** All of them, in a fixed order. */
    public static List<HeldOutConcept> all() {
        return ALL;
    }

    /** The one of this name. */
    public static Optional<HeldOutConcept> named(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Whether an instance resembles any held-out concept, and so is kept out of pretraining. */
    public static boolean resemblesAny(ObjectSpec spec) {
        return ALL.stream().anyMatch(c -> c.signature().test(spec));
    }
}
