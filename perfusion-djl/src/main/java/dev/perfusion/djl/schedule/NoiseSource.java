package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Where samplers and pipelines draw Gaussian noise. {@link #seeded(long)} generates it in Java, so the same seed
 * gives the same images on every device and engine version.
 */
@FunctionalInterface
public interface NoiseSource {

    /** Standard normal noise of the given shape, float32. */
    NDArray next(NDManager manager, Shape shape);

    /** Reproducible noise from a seed. */
    static NoiseSource seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return (manager, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i += 2) {
                double u = 1.0 - random.nextDouble();
                double v = random.nextDouble();
                double r = Math.sqrt(-2 * Math.log(u));
                values[i] = (float) (r * Math.cos(2 * Math.PI * v));
                if (i + 1 < values.length) {
                    values[i + 1] = (float) (r * Math.sin(2 * Math.PI * v));
                }
            }
            return manager.create(values, shape);
        };
    }
}
