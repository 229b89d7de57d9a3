package dev.perfusion.api;

import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.Optional;

/**
 * One training photo of a concept, as pixels, with an optional mask of where the concept is.
 *
 * @param source where it came from, for messages (a file name, or "image 3")
 * @param width  in pixels
 * @param height in pixels
 * @param rgb    packed 0xRRGGBB pixels, row by row
 * @param mask   per pixel in [0, 1], 1 where the concept is; empty when the user gave none
 */
public record TrainingImage(String source, int width, int height, int[] rgb, Optional<float[]> mask) {

    public TrainingImage {
        Objects.requireNonNull(source, "source");
        if (width <= 0 || height <= 0 || rgb.length != width * height) {
            throw new IllegalArgumentException(source + ": a " + width + "x" + height + " image needs "
                    + (long) width * height + " pixels, got " + rgb.length);
        }
        rgb = rgb.clone();
        mask = mask.map(float[]::clone);
        if (mask.isPresent()) {
            float[] m = mask.get();
            if (m.length != rgb.length) {
                throw new IllegalArgumentException(source + ": its mask has " + m.length + " values, the image "
                        + rgb.length + " pixels");
            }
            for (float v : m) {
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException(source + ": mask values must be in [0, 1], got " + v);
                }
            }
        }
    }

    /** An image without a mask. */
    public static TrainingImage of(String source, BufferedImage image) {
        return new TrainingImage(source, image.getWidth(), image.getHeight(), pixels(image), Optional.empty());
    }

    /** An image with a mask of the same size (white where the concept is, grey levels blend). */
    public static TrainingImage of(String source, BufferedImage image, BufferedImage mask) {
        if (mask.getWidth() != image.getWidth() || mask.getHeight() != image.getHeight()) {
            throw new IllegalArgumentException(source + ": the mask is " + mask.getWidth() + "x" + mask.getHeight()
                    + " but the image is " + image.getWidth() + "x" + image.getHeight());
        }
        int[] m = pixels(mask);
        float[] coverage = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            int r = (m[i] >> 16) & 0xff;
            int g = (m[i] >> 8) & 0xff;
            int b = m[i] & 0xff;
            coverage[i] = (r + g + b) / (3 * 255f);
        }
        return new TrainingImage(source, image.getWidth(), image.getHeight(), pixels(image), Optional.of(coverage));
    }

    @Override
    public int[] rgb() {
        return rgb.clone();
    }

    @Override
    public Optional<float[]> mask() {
        return mask.map(float[]::clone);
    }

    private static int[] pixels(BufferedImage image) {
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xFFFFFF;
        }
        return rgb;
    }
}
