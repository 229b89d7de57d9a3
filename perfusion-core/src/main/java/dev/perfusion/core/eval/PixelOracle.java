package dev.perfusion.core.eval;

import dev.perfusion.core.world.Backdrop;
import dev.perfusion.core.world.Colours;
import dev.perfusion.core.world.PlacedObject;
import dev.perfusion.core.world.Region;
import dev.perfusion.core.world.Relation;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import dev.perfusion.core.world.WorldColour;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the world's facts back from a picture by its pixels alone, so that a generated image can be checked
 * against the scene its caption describes: the backdrop (majority of the border), the object pixels (those far
 * from the backdrop's colours), their colours by name, how many separate objects they form, where they are, and how
 * two coloured objects stand to each other. No model is involved; on the world's own renders it agrees with the
 * truth (see the tests).
 */
public final class PixelOracle {

    /** Pixels this far (RGB distance) from the backdrop's colours count as object pixels. */
    private static final int OBJECT_DISTANCE = 70;
    /** Border width read for the backdrop, as a fraction of the side. */
    private static final double BORDER = 3.0 / World.SIZE;
    /** Smallest share of the object pixels a named colour must have to count as present. */
    private static final double PRESENT_SHARE = 0.05;
    /** Smallest object or colour area, as a fraction of the picture's area (10 pixels of a 64-pixel picture). */
    private static final double MIN_AREA = 10.0 / (World.SIZE * World.SIZE);

    private PixelOracle() {
    }

    /**
     * What the oracle reads in one picture.
     *
     * @param backdrop     the backdrop the border shows most
     * @param objectPixels how many pixels belong to objects
     * @param colours      object pixels by nearest named colour
     * @param centroids    centre {x, y} of each named colour's object pixels, in [0, 1] of the side
     * @param centroid     centre {x, y} of all object pixels, in [0, 1]; {0.5, 0.5} when there are none
     * @param components   separate objects of at least the minimum area
     * @param minArea      that minimum area, in pixels
     */
    public record Reading(Backdrop backdrop, int objectPixels, Map<WorldColour, Integer> colours,
            Map<WorldColour, double[]> centroids, double[] centroid, int components, int minArea) {

        /** Whether a named colour covers enough of the object pixels to count as present. */
        public boolean present(WorldColour colour) {
            int count = colours.getOrDefault(colour, 0);
            return count >= minArea && count >= PRESENT_SHARE * objectPixels;
        }

        /** The named colour with most object pixels, if any. */
        public Optional<WorldColour> mainColour() {
            return colours.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
        }
    }

    /**
     * The oracle's verdicts on a picture for the scene it should show.
     *
     * @param background  the backdrop is the scene's
     * @param objectColour every object's colour is present, and for one object it is the main colour
     * @param count       the number of separate objects is the scene's
     * @param position    for one object: its region is the scene's
     * @param relation    for two objects: their colours' centres stand in the scene's relation
     */
    public record Verdict(boolean background, boolean objectColour, boolean count, Optional<Boolean> position,
            Optional<Boolean> relation) {
    }

    /** Reads a square picture of packed 0xRRGGBB pixels. */
    public static Reading read(int[] rgb, int size) {
        if (rgb.length != size * size) {
            throw new IllegalArgumentException("a " + size + "-pixel square picture has " + size * size
                    + " pixels, got " + rgb.length);
        }
        Backdrop backdrop = backdrop(rgb, size);
        boolean[] object = new boolean[rgb.length];
        Map<WorldColour, Integer> counts = new EnumMap<>(WorldColour.class);
        Map<WorldColour, double[]> sums = new EnumMap<>(WorldColour.class);
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int i = 0; i < rgb.length; i++) {
            if (!nearBackdrop(rgb[i], backdrop)) {
                object[i] = true;
                WorldColour c = WorldColour.nearest(rgb[i]);
                counts.merge(c, 1, Integer::sum);
                double[] s = sums.computeIfAbsent(c, k -> new double[2]);
                s[0] += (i % size) + 0.5;
                s[1] += (i / size) + 0.5;
                sx += (i % size) + 0.5;
                sy += (i / size) + 0.5;
                n++;
            }
        }
        Map<WorldColour, double[]> centroids = new EnumMap<>(WorldColour.class);
        sums.forEach((c, s) -> centroids.put(c, new double[] {s[0] / counts.get(c) / size, s[1] / counts.get(c) / size}));
        double[] centroid = n == 0 ? new double[] {0.5, 0.5} : new double[] {sx / n / size, sy / n / size};
        int minArea = (int) Math.ceil(MIN_AREA * size * size);
        return new Reading(backdrop, n, counts, centroids, centroid, components(object, size, minArea), minArea);
    }

    /** The verdicts on a picture for the scene it should show. */
    public static Verdict check(Scene truth, Reading reading) {
        boolean background = reading.backdrop() == truth.backdrop();
        boolean colours = truth.objects().stream().allMatch(o -> reading.present(o.spec().colour()));
        if (truth.objects().size() == 1) {
            colours &= reading.mainColour().equals(Optional.of(truth.objects().get(0).spec().colour()));
        }
        boolean count = reading.components() == truth.objects().size();
        Optional<Boolean> position = Optional.empty();
        Optional<Boolean> relation = Optional.empty();
        if (truth.relation().isEmpty()) {
            PlacedObject only = truth.objects().get(0);
            position = Optional.of(reading.objectPixels() > 0
                    && Region.of(reading.centroid()[0], reading.centroid()[1]) == only.region());
        } else {
            WorldColour a = truth.objects().get(0).spec().colour();
            WorldColour b = truth.objects().get(1).spec().colour();
            boolean both = reading.present(a) && reading.present(b);
            relation = Optional.of(both && Relation.between(reading.centroids().get(a)[0],
                    reading.centroids().get(a)[1], reading.centroids().get(b)[0], reading.centroids().get(b)[1])
                    == truth.relation().get());
        }
        return new Verdict(background, colours, count, position, relation);
    }

    private static Backdrop backdrop(int[] rgb, int size) {
        int border = Math.max(1, (int) Math.round(BORDER * size));
        Map<Backdrop, Integer> votes = new EnumMap<>(Backdrop.class);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (x < border || y < border || x >= size - border || y >= size - border) {
                    votes.merge(Backdrop.nearest(rgb[y * size + x]), 1, Integer::sum);
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /**
     * Whether a pixel is the backdrop's colour, one of its texture's, or a blend of the two (an antialiased cloud or
     * mortar edge): within {@link #OBJECT_DISTANCE} of the segment between them in RGB.
     */
    private static boolean nearBackdrop(int rgb, Backdrop backdrop) {
        int limit = OBJECT_DISTANCE * OBJECT_DISTANCE;
        if (Colours.distanceSquared(rgb, backdrop.dominant()) < limit) {
            return true;
        }
        for (int texture : backdrop.textureColours()) {
            if (distanceToSegmentSquared(rgb, backdrop.dominant(), texture) < limit) {
                return true;
            }
        }
        return false;
    }

    private static double distanceToSegmentSquared(int p, int a, int b) {
        double[] ab = {Colours.red(b) - Colours.red(a), Colours.green(b) - Colours.green(a),
            Colours.blue(b) - Colours.blue(a)};
        double[] ap = {Colours.red(p) - Colours.red(a), Colours.green(p) - Colours.green(a),
            Colours.blue(p) - Colours.blue(a)};
        double t = (ab[0] * ap[0] + ab[1] * ap[1] + ab[2] * ap[2]) / (ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2]);
        t = Math.max(0, Math.min(1, t));
        double d = 0;
        for (int i = 0; i < 3; i++) {
            double e = ap[i] - t * ab[i];
            d += e * e;
        }
        return d;
    }

    private static int components(boolean[] object, int size, int minArea) {
        boolean[] seen = new boolean[object.length];
        int found = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < object.length; start++) {
            if (!object[start] || seen[start]) {
                continue;
            }
            int area = 0;
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                area++;
                int x = p % size;
                int y = p / size;
                int[][] neighbours = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
                for (int[] q : neighbours) {
                    if (q[0] >= 0 && q[0] < size && q[1] >= 0 && q[1] < size) {
                        int i = q[1] * size + q[0];
                        if (object[i] && !seen[i]) {
                            seen[i] = true;
                            queue.add(i);
                        }
                    }
                }
            }
            if (area >= minArea) {
                found++;
            }
        }
        return found;
    }
}
