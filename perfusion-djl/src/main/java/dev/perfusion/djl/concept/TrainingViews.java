package dev.perfusion.djl.concept;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.TrainingImage;
import dev.perfusion.core.eval.Pictures;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.vae.AutoencoderKL;
import java.util.ArrayList;
import java.util.List;

/**
 * A concept's training photos as the UNet sees them: centre-cropped to squares, resized to the training side,
 * encoded once by the VAE (mean and standard deviation of each latent, scaled), mirrored copies alongside when
 * flipping is on, and each mask pooled to the latent grid (all ones where the user gave none).
 */
final class TrainingViews {

    private final NDArray means;
    private final NDArray deviations;
    private final NDArray masks;
    private final int photos;
    private final boolean flipped;

    private TrainingViews(NDArray means, NDArray deviations, NDArray masks, int photos, boolean flipped) {
        this.means = means;
        this.deviations = deviations;
        this.masks = masks;
        this.photos = photos;
        this.flipped = flipped;
    }

    /** Encodes the photos at {@code side} pixels; the arrays belong to {@code m}. */
    static TrainingViews encode(List<TrainingImage> images, int side, int vaeScale, boolean flip, AutoencoderKL vae,
            NDManager m) {
        List<int[]> pixels = new ArrayList<>();
        List<float[]> latentMasks = new ArrayList<>();
        int latent = side / vaeScale;
        for (boolean mirror : flip ? new boolean[] {false, true} : new boolean[] {false}) {
            for (TrainingImage image : images) {
                pixels.add(mirror(square(image.rgb(), image.width(), image.height(), side), side, mirror));
                float[] mask = image.mask().map(v -> pool(mirror(squareMask(v, image.width(), image.height(), side),
                        side, mirror), side, vaeScale)).orElseGet(() -> ones(latent * latent));
                double sum = 0;
                for (float v : mask) {
                    sum += v;
                }
                if (sum <= 0) {
                    throw new PerfusionException(image.source() + ": its mask marks no part of the image as the "
                            + "concept (after cropping to the centre square)");
                }
                latentMasks.add(mask);
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
                Images.masks(m, latentMasks, latent), images.size(), flip);
    }

    /** How many encoded views there are: each photo, and its mirror when flipping. */
    int count() {
        return (int) means.getShape().get(0);
    }

    /** The view of photo {@code photo}, mirrored or not. */
    int index(int photo, boolean mirror) {
        return mirror && flipped ? photos + photo : photo;
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
        int[] grey = new int[mask.length];
        for (int i = 0; i < mask.length; i++) {
            int v = Math.round(mask[i] * 255);
            grey[i] = (v << 16) | (v << 8) | v;
        }
        int[] sized = square(grey, width, height, side);
        float[] out = new float[sized.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (sized[i] & 0xff) / 255f;
        }
        return out;
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

    private static float[] ones(int n) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, 1f);
        return out;
    }
}
