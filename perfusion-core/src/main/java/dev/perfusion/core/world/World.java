package dev.perfusion.core.world;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The procedural world the embedded base model is trained on and measured in: captioned scenes of one or two
 * objects of nine kinds, in ten colours, three patterns and several shapes per kind, on eight backdrops. Every scene
 * carries its truth.
 *
 * <p>A world is a pure function of its seed: scene {@code i} of a stream is drawn from a generator seeded by the
 * world's seed, the stream and {@code i}, so any scene can be had without the ones before it, and training can
 * resume anywhere. Two streams never share scenes: {@link Stream#TRAINING} for pretraining, {@link Stream#EVALUATION}
 * for held-out scenes. Instances that resemble a {@link HeldOutConcept} are never drawn in either.
 *
 * <p>{@link #VERSION} changes whenever a change to this package would draw any scene differently.
 */
public final class World {

    /** The side of the world's pictures, in pixels. */
    public static final int SIZE = 64;
    /** The version of the drawing and sampling rules. */
    public static final int VERSION = 1;
    /** Chance that a scene has two objects. */
    static final double TWO_OBJECTS = 0.35;
    /** Object colours closer than this (squared RGB distance) to the backdrop's are not used on it. */
    private static final int CLASH = 90 * 90;
    /** Likewise for the colours of the backdrop's texture. */
    private static final int CLASH_TEXTURE = 100 * 100;

    /** Disjoint streams of scenes. */
    public enum Stream {
        TRAINING(0x7A1),
        EVALUATION(0xE7A1);

        private final long salt;

        Stream(long salt) {
            this.salt = salt;
        }
    }

    /**
     * A scene and one of its captions.
     *
     * @param scene   the scene
     * @param caption a phrasing of it
     */
    public record Sample(Scene scene, String caption) {
    }

    private final long seed;

    public World(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** Scene {@code index} of a stream. */
    public Scene scene(Stream stream, long index) {
        return scene(random(stream, index, 0));
    }

    /** Scene {@code index} of the training stream with one of its varied captions. */
    public Sample sample(long index) {
        return sample(index, 1);
    }

    /**
     * Scene {@code index} of the training stream with one of its varied captions, each object's colour named with
     * chance {@code colourChance} ({@link Captions#varied(Scene, SplittableRandom, double)}); 1 gives {@link
     * #sample(long)}'s caption.
     */
    public Sample sample(long index, double colourChance) {
        Scene scene = scene(Stream.TRAINING, index);
        return new Sample(scene, Captions.varied(scene, random(Stream.TRAINING, index, 1), colourChance));
    }

    /** Scene {@code index} of a stream with only one object, as a personalised prompt's second object might be. */
    public Scene singleObjectScene(Stream stream, long index) {
        SplittableRandom random = random(stream, index, 2);
        return single(random, Backdrop.values()[random.nextInt(Backdrop.values().length)]);
    }

    /** Scene {@code index} of a stream with two objects. */
    public Scene twoObjectScene(Stream stream, long index) {
        SplittableRandom random = random(stream, index, 3);
        return pair(random, Backdrop.values()[random.nextInt(Backdrop.values().length)]);
    }

    /**
     * The instance {@code spec} alone in a fresh scene: a backdrop it does not clash with, any size and region, its
     * own turn; a function of {@code seed}. Two seeds give two views of the same instance.
     */
    public static Scene alone(ObjectSpec spec, long seed) {
        SplittableRandom random = new SplittableRandom(Noise.hash(seed, stableHash(spec), 0xA10E));
        Backdrop backdrop;
        do {
            backdrop = Backdrop.values()[random.nextInt(Backdrop.values().length)];
        } while (clashes(spec.colour(), backdrop));
        SizeClass size = SizeClass.values()[random.nextInt(SizeClass.values().length)];
        Region region = Region.values()[random.nextInt(Region.values().length)];
        double radius = radius(size, random);
        while (true) {
            double[] c = centre(region, radius, random);
            PlacedObject object = new PlacedObject(spec,
                    new Placement(c[0], c[1], radius, rotation(spec.kind(), random), random.nextBoolean()), size);
            if (object.region() == region) {
                return new Scene(backdrop, List.of(object), Optional.empty(), random.nextLong());
            }
        }
    }

    /** A hash of an instance that is the same in every process (an enum's own hash code is not). */
    static long stableHash(ObjectSpec spec) {
        long h = Noise.hash(spec.kind().ordinal(), spec.colour().ordinal(), spec.accent().ordinal());
        h = Noise.hash(h, spec.detail().ordinal(), spec.pattern().ordinal());
        h = Noise.hash(h, Double.doubleToLongBits(spec.shape()), Double.doubleToLongBits(spec.shape2()));
        return Noise.hash(h, Double.doubleToLongBits(spec.period()), spec.across() ? 1 : 0);
    }

    private SplittableRandom random(Stream stream, long index, long purpose) {
        return new SplittableRandom(Noise.hash(seed ^ stream.salt, index, purpose));
    }

    private static Scene scene(SplittableRandom random) {
        Backdrop backdrop = Backdrop.values()[random.nextInt(Backdrop.values().length)];
        return random.nextDouble() < TWO_OBJECTS ? pair(random, backdrop) : single(random, backdrop);
    }

    private static Scene single(SplittableRandom random, Backdrop backdrop) {
        ObjectSpec spec = spec(random, backdrop, Optional.empty());
        SizeClass size = SizeClass.values()[random.nextInt(SizeClass.values().length)];
        Region region = Region.values()[random.nextInt(Region.values().length)];
        double radius = radius(size, random);
        while (true) {
            double[] c = centre(region, radius, random);
            Placement placement = new Placement(c[0], c[1], radius, rotation(spec.kind(), random), random.nextBoolean());
            PlacedObject object = new PlacedObject(spec, placement, size);
            if (object.region() == region) {
                return new Scene(backdrop, List.of(object), Optional.empty(), random.nextLong());
            }
        }
    }

    private static Scene pair(SplittableRandom random, Backdrop backdrop) {
        ObjectSpec first = spec(random, backdrop, Optional.empty());
        ObjectSpec second = spec(random, backdrop, Optional.of(first));
        Relation relation = Relation.values()[random.nextInt(Relation.values().length)];
        SizeClass sizeA = random.nextBoolean() ? SizeClass.SMALL : SizeClass.MEDIUM;
        SizeClass sizeB = random.nextBoolean() ? SizeClass.SMALL : SizeClass.MEDIUM;
        double ra = radius(sizeA, random);
        double rb = radius(sizeB, random);
        double gap = ra + rb + 3 + 5 * random.nextDouble();
        double side = (random.nextDouble() * 2 - 1) * 4;
        double dx = switch (relation) {
            case LEFT_OF -> -gap;
            case RIGHT_OF -> gap;
            default -> side;
        };
        double dy = switch (relation) {
            case ABOVE -> -gap;
            case BELOW -> gap;
            default -> side;
        };
        // The second centre is the first minus (dx, dy); both objects must lie inside the picture.
        double minX = Math.max(ra + 1, rb + 1 + dx);
        double maxX = Math.min(SIZE - ra - 1, SIZE - rb - 1 + dx);
        double minY = Math.max(ra + 1, rb + 1 + dy);
        double maxY = Math.min(SIZE - ra - 1, SIZE - rb - 1 + dy);
        double ax = minX + random.nextDouble() * Math.max(0, maxX - minX);
        double ay = minY + random.nextDouble() * Math.max(0, maxY - minY);
        PlacedObject a = new PlacedObject(first,
                new Placement(ax, ay, ra, rotation(first.kind(), random), random.nextBoolean()), sizeA);
        PlacedObject b = new PlacedObject(second,
                new Placement(ax - dx, ay - dy, rb, rotation(second.kind(), random), random.nextBoolean()), sizeB);
        return new Scene(backdrop, List.of(a, b), Optional.of(relation), random.nextLong());
    }

    /**
     * An instance for a backdrop; beside {@code other}, one whose colour is far from the other's and whose colours
     * appear nowhere on the other, so that each object's pixels can be told apart by colour alone.
     */
    private static ObjectSpec spec(SplittableRandom random, Backdrop backdrop, Optional<ObjectSpec> other) {
        while (true) {
            Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
            WorldColour colour = colour(random);
            WorldColour accent = colour(random);
            WorldColour detail = colour(random);
            double p = random.nextDouble();
            Pattern pattern = p < 0.5 ? Pattern.PLAIN : p < 0.75 ? Pattern.STRIPES : Pattern.SPOTS;
            ObjectSpec spec;
            if (clashes(colour, backdrop) || (pattern != Pattern.PLAIN && accent == colour) || detail == colour
                    || other.filter(o -> Colours.distanceSquared(o.colour().rgb(), colour.rgb()) < CLASH
                            || colour == o.accent() || colour == o.detail() || accent == o.colour()
                            || detail == o.colour()).isPresent()) {
                continue;
            }
            spec = new ObjectSpec(kind, colour, accent, detail, pattern, random.nextDouble(), random.nextDouble(),
                    random.nextDouble(), random.nextBoolean());
            if (!HeldOutConcepts.resemblesAny(spec)) {
                return spec;
            }
        }
    }

    /** Whether an object of this colour would be hard to tell from the backdrop or its texture. */
    public static boolean clashes(WorldColour colour, Backdrop backdrop) {
        return Colours.distanceSquared(colour.rgb(), backdrop.dominant()) < CLASH
                || backdrop.textureColours().stream().anyMatch(t -> Colours.distanceSquared(colour.rgb(), t) < CLASH_TEXTURE);
    }

    /** A drawing turn for an instance of this kind: free for kinds that turn, slight for upright ones. */
    static double rotation(Kind kind, SplittableRandom random) {
        return (random.nextDouble() * 2 - 1) * (kind.rotates() ? 0.5 : 0.12);
    }

    private static WorldColour colour(SplittableRandom random) {
        return WorldColour.values()[random.nextInt(WorldColour.values().length)];
    }

    private static double radius(SizeClass size, SplittableRandom random) {
        return size.minRadius() + random.nextDouble() * (size.maxRadius() - size.minRadius());
    }

    private static double[] centre(Region region, double radius, SplittableRandom random) {
        double margin = radius + 1;
        double across = 24 + random.nextDouble() * 16;
        return switch (region) {
            case CENTER -> new double[] {SIZE / 2.0 + random.nextDouble() * 6 - 3, SIZE / 2.0 + random.nextDouble() * 6 - 3};
            case LEFT -> new double[] {margin + random.nextDouble() * Math.max(0, 22 - margin), across};
            case RIGHT -> new double[] {SIZE - margin - random.nextDouble() * Math.max(0, 22 - margin), across};
            case TOP -> new double[] {across, margin + random.nextDouble() * Math.max(0, 22 - margin)};
            case BOTTOM -> new double[] {across, SIZE - margin - random.nextDouble() * Math.max(0, 22 - margin)};
        };
    }
}
