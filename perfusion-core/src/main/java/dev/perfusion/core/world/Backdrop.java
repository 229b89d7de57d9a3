package dev.perfusion.core.world;

import java.util.List;

/**
 * The backgrounds of the world: plain colours and textured settings, each with one dominant colour, which is what
 * the background oracle reads back from an image.
 */
public enum Backdrop {
    WHITE(0xF0F0EB, List.of(), List.of("on a white background")),
    GRAY(0x808080, List.of(), List.of("on a gray background")),
    PURPLE(0x6E4696, List.of(), List.of("on a purple background")),
    GRASS(0x48963A, List.of(), List.of("on grass", "on the grass")),
    SKY(0x82B9EB, List.of(0xFAFAFA), List.of("in the sky", "against a blue sky")),
    SAND(0xDEC48C, List.of(), List.of("on sand", "on the beach")),
    BRICK(0xA5412D, List.of(0xC8C3BE), List.of("in front of a brick wall", "by a brick wall")),
    NIGHT(0x121A50, List.of(0xF5F5DC), List.of("at night", "in the night sky"));

    private final int dominant;
    private final List<Integer> texture;
    private final List<String> phrases;

    Backdrop(int dominant, List<Integer> texture, List<String> phrases) {
        this.dominant = dominant;
        this.texture = texture;
        this.phrases = phrases;
    }

    /** The other colours its texture shows in small areas (clouds, mortar, stars), 0xRRGGBB. */
    public List<Integer> textureColours() {
        return texture;
    }

    /** The colour most of the background has, 0xRRGGBB. */
    public int dominant() {
        return dominant;
    }

    /** The ways captions name it; the first is the canonical one. */
    public List<String> phrases() {
        return phrases;
    }

    /** The backdrop whose dominant colour is nearest to {@code rgb}. */
    public static Backdrop nearest(int rgb) {
        Backdrop best = WHITE;
        int bestDistance = Integer.MAX_VALUE;
        for (Backdrop b : values()) {
            int d = Colours.distanceSquared(b.dominant, rgb);
            if (d < bestDistance) {
                bestDistance = d;
                best = b;
            }
        }
        return best;
    }

    /**
     * The colour at a point of the picture.
     *
     * @param x       across, in [0, 1)
     * @param y       down, in [0, 1)
     * @param texture the scene's texture seed (cloud and star positions, noise)
     */
    int colourAt(double x, double y, long texture) {
        return switch (this) {
            case WHITE, GRAY, PURPLE -> Colours.scale(dominant, 1.03 - 0.06 * y);
            case GRASS -> {
                double blades = Noise.value(texture, x * 40, y * 8);
                yield Colours.scale(dominant, 0.82 + 0.3 * blades);
            }
            case SKY -> {
                int sky = Colours.scale(dominant, 0.94 + 0.1 * y);
                double cloud = 0;
                for (int c = 0; c < 2; c++) {
                    double cx = Noise.unit(texture, c, 1);
                    double cy = 0.1 + 0.3 * Noise.unit(texture, c, 2);
                    double dx = (x - cx) / 0.16;
                    double dy = (y - cy) / 0.07;
                    cloud = Math.max(cloud, 1 - (dx * dx + dy * dy));
                }
                yield cloud > 0 ? Colours.mix(sky, 0xFAFAFA, Math.min(1, cloud * 3)) : sky;
            }
            case SAND -> {
                double speck = Noise.unit(texture, (long) (x * 64), (long) (y * 64));
                yield speck > 0.92 ? Colours.scale(dominant, 0.8) : Colours.scale(dominant, 0.97 + 0.06 * speck);
            }
            case BRICK -> {
                double row = y * 10;
                long r = (long) Math.floor(row);
                double col = x * 5 + (r % 2 == 0 ? 0 : 0.5);
                boolean mortar = row - r < 0.12 || col - Math.floor(col) < 0.06;
                yield mortar ? 0xC8C3BE : Colours.scale(dominant, 0.92 + 0.16 * Noise.unit(texture, (long) col, r));
            }
            case NIGHT -> {
                boolean star = Noise.unit(texture, (long) (x * 64), (long) (y * 64)) > 0.985;
                yield star ? 0xF5F5DC : dominant;
            }
        };
    }
}
