package dev.perfusion.djl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.djl.DjlRuntime;
import dev.perfusion.djl.testing.Fixtures;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times one UNet step of this port, for {@code bench_unet.py}, which runs diffusers on the same weights and inputs
 * and prints both side by side. Inference: a classifier-free-guidance pair (batch 2), no gradients. Training: batch
 * 1, forward and backward to the text encodings with the UNet frozen, as in concept training. Prints one JSON line
 * with the milliseconds of every timed step.
 *
 * <p>Arguments: unet folder, inputs file (latents, timesteps, encoder_hidden_states for batch 2), iterations, and
 * warm-up seconds: each step is run untimed at least once and until that much time has passed, so that the JIT
 * compiler has settled (the Python side warms up the same way).
 */
public final class UNetStepBenchmark {

    private UNetStepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        Path inputs = Path.of(args[1]);
        int iterations = Integer.parseInt(args[2]);
        double warmupSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        Engine engine = DjlRuntime.engine();
        try (NDManager manager = engine.newBaseManager()) {
            long loadStart = System.nanoTime();
            UNet2DConditionModel unet = UNet2DConditionModel.load(folder, manager);
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            try (SafeTensorsReader ref = SafeTensorsReader.open(inputs)) {
                NDArray latents = Fixtures.array(manager, ref, "latents");
                NDArray timesteps = Fixtures.array(manager, ref, "timesteps");
                NDArray context = Fixtures.array(manager, ref, "encoder_hidden_states");
                double[] inference = times(iterations, warmupSeconds, () -> {
                    try (NDManager step = manager.newSubManager()) {
                        latents.tempAttach(step);
                        timesteps.tempAttach(step);
                        context.tempAttach(step);
                        unet.forward(latents, timesteps, context).toFloatArray();
                    }
                });
                NDArray one = latents.get("0:1");
                NDArray oneTime = timesteps.get("0:1");
                NDArray oneText = context.get("0:1");
                double[] training = times(iterations, warmupSeconds, () -> {
                    try (NDManager step = manager.newSubManager()) {
                        one.tempAttach(step);
                        oneTime.tempAttach(step);
                        NDArray text = oneText.duplicate();
                        text.attach(step);
                        text.setRequiresGradient(true);
                        try (GradientCollector collector = engine.newGradientCollector()) {
                            NDArray out = unet.forward(one, oneTime, text);
                            collector.backward(out.square().mean());
                        }
                        text.getGradient().toFloatArray();
                    }
                });
                System.out.printf(Locale.ROOT, "{\"load_ms\": %.1f, \"inference_ms\": %s, \"training_ms\": %s}%n",
                        loadMs, json(inference), json(training));
            }
            unet.close();
        }
    }

    private static double[] times(int iterations, double warmupSeconds, Runnable step) {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            step.run();
        } while (System.nanoTime() < warmupEnd);
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }

    private static String json(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.1f", v))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
}
