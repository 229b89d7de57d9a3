package dev.perfusion.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay, by the engine's fused update ({@code NDArrayEx.adamUpdate}, the kernel DJL's own
 * {@code Adam} calls), with its moments held here rather than inside DJL's optimiser so that a checkpoint can save and
 * restore them: DJL's optimisers keep their state private. Gradients are clipped by their global norm first.
 */
public final class AdamW implements AutoCloseable {

    private final Parameters parameters;
    private final NDManager manager;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final double clipNorm;
    private long steps;

    /**
     * @param weightDecay decoupled, per unit of learning rate
     * @param clipNorm    largest global gradient norm; larger ones are scaled down to it; infinite for none
     */
    public AdamW(Parameters parameters, NDManager parent, double beta1, double beta2, double epsilon,
            double weightDecay, double clipNorm) {
        this.parameters = parameters;
        this.manager = parent.newSubManager();
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.epsilon = (float) epsilon;
        this.weightDecay = (float) weightDecay;
        this.clipNorm = clipNorm;
        parameters.arrays().forEach((name, a) -> {
            means.put(name, manager.zeros(a.getShape()));
            variances.put(name, manager.zeros(a.getShape()));
        });
    }

    /** Optimiser steps taken. */
    public long steps() {
        return steps;
    }

    /**
     * Updates every parameter from its gradient and zeroes the gradient.
     *
     * @return the global gradient norm before clipping
     */
    public double step(double learningRate) {
        double norm = parameters.gradientNorm();
        float rescale = norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        steps++;
        double correction = Math.sqrt(1 - Math.pow(beta2, steps)) / (1 - Math.pow(beta1, steps));
        for (Map.Entry<String, NDArray> e : parameters.arrays().entrySet()) {
            NDArray weight = e.getValue();
            try (NDArray gradient = weight.getGradient()) {
                weight.getNDArrayInternal().adamUpdate(
                        new NDList(weight, gradient, means.get(e.getKey()), variances.get(e.getKey())),
                        new NDList(weight), (float) learningRate, (float) (learningRate * correction), weightDecay,
                        rescale, -1f, beta1, beta2, epsilon, false, true);
            }
        }
        return norm;
    }

    /** Writes the moments and the step count. */
    public void save(Path file) throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter().metadata("steps", Long.toString(steps));
        means.forEach((name, m) -> writer.addFloats("mean." + name, DType.F32, m.getShape().getShape(),
                m.toFloatArray()));
        variances.forEach((name, v) -> writer.addFloats("variance." + name, DType.F32, v.getShape().getShape(),
                v.toFloatArray()));
        writer.write(file);
    }

    /** Restores what {@link #save} wrote. */
    public void load(Path file) throws IOException {
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            for (String name : means.keySet()) {
                means.get(name).set(reader.readFloats("mean." + name));
                variances.get(name).set(reader.readFloats("variance." + name));
            }
            steps = Long.parseLong(reader.metadata().getOrDefault("steps", "0"));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
