package dev.perfusion.core.world;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws scenes: every pixel is the mean of {@value #SUBSAMPLES}x{@value #SUBSAMPLES} samples of the backdrop and the
 * objects over it, in drawing order, so edges are antialiased and every object's coverage is known exactly. Pure Java
 * arithmetic: the same scene gives the same pixels on every machine.
 */
public final class Renderer {

    static final int SUBSAMPLES = 3;

    private Renderer() {
    }

    /** Draws a scene at {@code size} pixels (placements are given for {@value World#SIZE}, and scaled). */
    public static Rendering render(Scene scene, int size) {
        if (size < 8) {
            throw new IllegalArgumentException("a picture needs at least 8 pixels a side, got " + size);
        }
        int n = scene.objects().size();
        double scale = (double) size / World.SIZE;
        Placement[] placements = new Placement[n];
        for (int i = 0; i < n; i++) {
            placements[i] = scene.objects().get(i).placement().scaled(scale);
        }
        int[] rgb = new int[size * size];
        float[][] masks = new float[n][size * size];
        double weight = 1.0 / (SUBSAMPLES * SUBSAMPLES);
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                double r = 0;
                double g = 0;
                double b = 0;
                for (int sy = 0; sy < SUBSAMPLES; sy++) {
                    for (int sx = 0; sx < SUBSAMPLES; sx++) {
                        double x = px + (sx + 0.5) / SUBSAMPLES;
                        double y = py + (sy + 0.5) / SUBSAMPLES;
                        int colour = scene.backdrop().colourAt(x / size, y / size, scene.texture());
                        int covering = -1;
                        for (int i = 0; i < n; i++) {
                            int c = objectColour(scene.objects().get(i).spec(), placements[i], x, y);
                            if (c >= 0) {
                                colour = c;
                                covering = i;
                            }
                        }
                        if (covering >= 0) {
                            masks[covering][py * size + px] += (float) weight;
                        }
                        r += Colours.red(colour);
                        g += Colours.green(colour);
                        b += Colours.blue(colour);
                    }
                }
                rgb[py * size + px] = Colours.pack(r * weight, g * weight, b * weight);
            }
        }
        List<float[]> maskList = new ArrayList<>();
        List<int[]> boxes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            maskList.add(masks[i]);
            boxes.add(box(masks[i], size));
        }
        return new Rendering(scene, size, rgb, maskList, boxes);
    }

    /** The colour of an object at picture point (x, y), or -1 where it does not cover the point. */
    private static int objectColour(ObjectSpec spec, Placement p, double x, double y) {
        double dx = (x - p.x()) / p.radius();
        double dy = (y - p.y()) / p.radius();
        if (dx * dx + dy * dy > 2.2) {
            return -1;
        }
        double cos = StrictMath.cos(p.rotation());
        double sin = StrictMath.sin(p.rotation());
        double u = cos * dx + sin * dy;
        double v = -sin * dx + cos * dy;
        if (p.mirrored()) {
            u = -u;
        }
        Part part = spec.kind().partAt(spec.shape(), spec.shape2(), u, v);
        return part == Part.NONE ? -1 : spec.colourOf(part, u, v);
    }

    private static int[] box(float[] mask, int size) {
        int x0 = size;
        int y0 = size;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (mask[y * size + x] >= 0.5f) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? new int[] {0, 0, -1, -1} : new int[] {x0, y0, x1, y1};
    }
}
