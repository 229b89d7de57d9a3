package dev.perfusion.djl.concept;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.TrainingImage;
import dev.perfusion.core.eval.Pictures;
import dev.perfusion.core.train.ShrunkView;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.vae.AutoencoderKL;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A concept's training photos as the UNet sees them: centre-cropped to squares, resized to the training side,
 * encoded once by the VAE (mean and standard deviation of each latent, scaled), mirrored copies alongside when
 * flipping is on, shrunk copies ({@link ShrunkView}) when zooming out is on, and each mask pooled to the latent grid
 * (all ones where the user gave none).
 */
final class TrainingViews {

    /** Shrunk copies of each photo (and of its mirror) when zooming out is on, each at its own scale and place. */
    static final int SHRUNK_COPIES = 3;

    private final NDArray means;
    private final NDArray deviations;
    private final NDArray masks;
    private final int photos;
    private final boolean flipped;
    private final int copies;

    private TrainingViews(NDArray means, NDArray deviations, NDArray masks, int photos, boolean flipped, int copies) {
        this.means = means;
        this.deviations = deviations;
        this.masks = masks;
        this.photos = photos;
        this.flipped = flipped;
        this.copies = copies;
    }

    /**
     * Encodes the photos at {@code side} pixels, with {@link #SHRUNK_COPIES} shrunk copies each when
     * {@code smallestScale} is below 1 (scales and places drawn from {@code seed}); the arrays belong to {@code m}.
     */
    static TrainingViews encode(List<TrainingImage> images, int side, int vaeScale, boolean flip,
            double smallestScale, long seed, AutoencoderKL vae, NDManager m) {
        List<int[]> pixels = new ArrayList<>();
        List<float[]> latentMasks = new ArrayList<>();
        int latent = side / vaeScale;
        List<int[]> squares = new ArrayList<>();
        List<float[]> squareMasks = new ArrayList<>();
        for (boolean mirror : flip ? new boolean[] {false, true} : new boolean[] {false}) {
            for (TrainingImage image : images) {
                float[] mask = image.mask().map(v -> mirror(squareMask(v, image.width(), image.height(), side),
                        side, mirror)).orElseGet(() -> ones(side * side));
                if (sum(mask) <= 0) {
                    throw new PerfusionException(image.source() + ": its mask marks no part of the image as the "
                            + "concept (after cropping to the centre square)");
                }
                squares.add(mirror(square(image.rgb(), image.width(), image.height(), side), side, mirror));
                squareMasks.add(mask);
            }
        }
        int copies = smallestScale < 1 ? SHRUNK_COPIES : 0;
        SplittableRandom random = new SplittableRandom(seed ^ 0x5A11_5CA1EL);
        for (int copy = 0; copy <= copies; copy++) {
            for (int view = 0; view < squares.size(); view++) {
                int[] rgb = squares.get(view);
                float[] mask = squareMasks.get(view);
                if (copy > 0) {
                    ShrunkView shrunk = ShrunkView.random(rgb, mask, side, smallestScale, random);
                    rgb = shrunk.rgb();
                    mask = shrunk.mask();
                }
                pixels.add(rgb);
                latentMasks.add(pool(mask, side, vaeScale));
            }
        }
        NDList means = new NDList();
        NDList deviations = new NDList();
        for (int start = 0; start < pixels.size(); start += 8) {
            NDArray batch = Images.batch(m, pixels.subList(start, Math.min(pixels.size(), start + 8)), side);
            AutoencoderKL.LatentDistribution d = vae.encode(batch);
            means.add(Scalars.times(d.mean(), vae.scalingFactor()));
            deviations.add(Scalars.times(Scalars.times(d.logvar(), 0.5).exp(), vae.scalingFactor()));
        }
        return new TrainingViews(NDArrays.concat(means, 0), NDArrays.concat(deviations, 0),
                Images.masks(m, latentMasks, latent), images.size(), flip, copies);
    }

    /** How many encoded views there are: each photo, its mirror when flipping, and their shrunk copies. */
    int count() {
        return (int) means.getShape().get(0);
    }

    /** How many shrunk copies each photo has; 0 when zooming out is off. */
    int shrunkCopies() {
        return copies;
    }

    /** The view of photo {@code photo}, mirrored or not, as drawn ({@code copy} 0) or shrunk (1 and up). */
    int index(int photo, boolean mirror, int copy) {
        int mirrors = flipped ? 2 : 1;
        return (copy * mirrors + (mirror && flipped ? 1 : 0)) * photos + photo;
    }

    /** Latents of the given views, each drawn from its distribution with {@code noise} (views, c, h, w). */
    NDArray sample(int[] views, NDArray noise) {
        NDManager m = noise.getManager();
        NDArray index = m.create(toLong(views));
        NDArray mean = means.get(index);
        NDArray deviation = deviations.get(index);
        mean.attach(m);
        deviation.attach(m);
        return mean.add(deviation.mul(noise));
    }

    /** Masks (views, 1, h, w) of the given views. */
    NDArray masks(int[] views, NDManager m) {
        NDArray selected = masks.get(m.create(toLong(views)));
        selected.attach(m);
        return selected;
    }

    /** The latent shape of one view. */
    Shape latentShape() {
        return means.getShape().slice(1);
    }

    private static long[] toLong(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** The centre square of a picture, resized to {@code side}. */
    static int[] square(int[] rgb, int width, int height, int side) {
        int s = Math.min(width, height);
        int x0 = (width - s) / 2;
        int y0 = (height - s) / 2;
        int[] crop = new int[s * s];
        for (int y = 0; y < s; y++) {
            System.arraycopy(rgb, (y0 + y) * width + x0, crop, y * s, s);
        }
        return Pictures.resize(crop, s, side);
    }

    private static float[] squareMask(float[] mask, int width, int height, int side) {
        return Pictures.coverage(square(Pictures.grey(mask), width, height, side));
    }

    private static int[] mirror(int[] rgb, int side, boolean mirror) {
        if (!mirror) {
            return rgb;
        }
        int[] out = new int[rgb.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                out[y * side + x] = rgb[y * side + side - 1 - x];
            }
        }
        return out;
    }

    private static float[] mirror(float[] values, int side, boolean mirror) {
        if (!mirror) {
            return values;
        }
        float[] out = new float[values.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                out[y * side + x] = values[y * side + side - 1 - x];
            }
        }
        return out;
    }

    /** Block averages of a mask over {@code scale} x {@code scale} pixels. */
    private static float[] pool(float[] mask, int side, int scale) {
        int latent = side / scale;
        float[] out = new float[latent * latent];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                out[(y / scale) * latent + x / scale] += mask[y * side + x] / (scale * scale);
            }
        }
        return out;
    }

    private static double sum(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum;
    }

    private static float[] ones(int n) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, 1f);
        return out;
    }
}
