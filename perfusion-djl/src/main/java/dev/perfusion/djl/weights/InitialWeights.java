package dev.perfusion.djl.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A fresh initialisation of a model to train, by the rules PyTorch's layers use, drawn in Java from a seed so that
 * the same seed gives the same weights on every machine:
 *
 * <ul>
 *   <li>linear and convolution weights: uniform in {@code +-1/sqrt(fan_in)} (PyTorch's default);</li>
 *   <li>embedding tables ({@code ...embedding.weight}): normal with standard deviation 0.02, as CLIP's;</li>
 *   <li>norm scales ({@code ...norm...weight}, 1-D): ones; every bias: zeros;</li>
 *   <li>tensors the caller names as zero-initialised (the last layer of each residual branch, as in ADM's
 *       {@code zero_module}, so that a fresh network starts as the identity): zeros.</li>
 * </ul>
 *
 * Every tensor made is recorded under its key, in the order the model asked for it.
 */
public final class InitialWeights implements Weights {

    private final NDManager manager;
    private final SplittableRandom random;
    private final Predicate<String> zeroed;
    private final Map<String, NDArray> created = new LinkedHashMap<>();

    /**
     * @param manager owns the arrays made
     * @param seed    the seed of every draw
     * @param zeroed  the keys to initialise to zero
     */
    public InitialWeights(NDManager manager, long seed, Predicate<String> zeroed) {
        this.manager = manager;
        this.random = new SplittableRandom(seed);
        this.zeroed = zeroed;
    }

    @Override
    public NDArray take(String key, long... shape) {
        if (created.containsKey(key)) {
            throw new IllegalStateException("the model asked for '" + key + "' twice");
        }
        float[] values = new float[Math.toIntExact(new Shape(shape).size())];
        if (!zeroed.test(key) && !key.endsWith(".bias")) {
            if (shape.length == 1) {
                java.util.Arrays.fill(values, 1f);
            } else if (key.endsWith("embedding.weight")) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (0.02 * gaussian());
                }
            } else {
                long fanIn = values.length / shape[0];
                double bound = 1 / Math.sqrt(fanIn);
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                }
            }
        }
        NDArray array = manager.create(values, new Shape(shape));
        created.put(key, array);
        return array;
    }

    @Override
    public boolean contains(String key) {
        return false;
    }

    /** Every tensor made so far, by key, in the order asked for. */
    public Map<String, NDArray> created() {
        return Collections.unmodifiableMap(created);
    }

    private double gaussian() {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
