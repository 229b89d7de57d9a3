package dev.perfusion.api;

import java.awt.image.BufferedImage;

/**
 * One generated image as packed 0xRRGGBB pixels, row by row.
 *
 * @param width  in pixels
 * @param height in pixels
 * @param seed   the seed that reproduces this image alone
 */
public record GeneratedImage(int width, int height, int[] rgb, long seed) {

    public GeneratedImage {
        if (width <= 0 || height <= 0 || rgb.length != width * height) {
            throw new IllegalArgumentException(
                    "image of " + width + "x" + height + " needs " + (long) width * height + " pixels, got " + rgb.length);
        }
        rgb = rgb.clone();
    }

    @Override
    public int[] rgb() {
        return rgb.clone();
    }

    /** The image as a {@link BufferedImage}, for {@code ImageIO.write}. */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }
}
