package dev.perfusion.core.world;

import java.util.List;

/**
 * A rendered scene: its pixels, and for each object the fraction of every pixel it covers (its soft mask) and its
 * bounding box.
 *
 * @param scene  the scene drawn
 * @param size   width and height in pixels
 * @param rgb    packed 0xRRGGBB pixels, row by row
 * @param masks  per object, in scene order: coverage in [0, 1] per pixel
 * @param boxes  per object: {x0, y0, x1, y1}, inclusive pixel bounds of where it covers at least half a pixel
 */
public record Rendering(Scene scene, int size, int[] rgb, List<float[]> masks, List<int[]> boxes) {

    public Rendering {
        if (rgb.length != size * size || masks.size() != scene.objects().size()
                || boxes.size() != scene.objects().size()) {
            throw new IllegalArgumentException("rendering does not match its scene and size");
        }
        rgb = rgb.clone();
        masks = masks.stream().map(float[]::clone).toList();
        boxes = boxes.stream().map(int[]::clone).toList();
    }

    @Override
    public int[] rgb() {
        return rgb.clone();
    }

    @Override
    public List<float[]> masks() {
        return masks.stream().map(float[]::clone).toList();
    }

    @Override
    public List<int[]> boxes() {
        return boxes.stream().map(int[]::clone).toList();
    }

    /** The union of the objects' masks. */
    public float[] objectMask() {
        float[] out = new float[size * size];
        for (float[] m : masks) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.min(1f, out[i] + m[i]);
            }
        }
        return out;
    }
}
