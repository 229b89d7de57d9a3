package dev.perfusion.djl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perfusion.api.Progress;
import dev.perfusion.api.TrainingImage;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.djl.DjlRuntime;
import dev.perfusion.djl.concept.ConceptTraining;
import dev.perfusion.djl.pipeline.StableDiffusion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Runs concept-training steps of this port on command, for {@code bench_concept_step.py}, which drives it in
 * lockstep with the same step written on diffusers: the trainable set is the concept's token embedding and one value
 * target per cross-attention layer, the keys locked, with the masked diffusion loss and the attention loss.
 *
 * <p>Arguments: a diffusers pipeline folder and the image side. Prints {@code ready <load ms>}, then reads
 * {@code train <steps>} commands: each runs one training of that many steps (batch 1, no accumulation) on three fixed
 * random photos and answers a line {@code <wall ms> <process cpu ms>} per step after the first (the first also
 * encodes the photos and starts the running averages). {@code quit} or end of input ends the process.
 */
public final class ConceptStepBenchmark {

    private ConceptStepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Engine engine = DjlRuntime.engine();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int side = Integer.parseInt(args[1]);
        try (NDManager manager = engine.newBaseManager()) {
            long loadStart = System.nanoTime();
            StableDiffusion model = StableDiffusion.load(Path.of(args[0]), manager);
            int width = model.textEncoder().config().hiddenSize();
            NDArray inverse = manager.eye(width).mul(1.0 / width);
            System.out.printf(Locale.ROOT, "ready %.1f%n", (System.nanoTime() - loadStart) / 1e6);
            System.out.flush();
            List<TrainingImage> photos = photos(side);
            ConceptTraining.Setup setup = new ConceptTraining.Setup(model, inverse, List.of("a photo of a {}"));
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                int steps = Integer.parseInt(line.split(" ")[1]);
                TrainingRequest request = new TrainingRequest("bench", "cat", photos, TrainingOptions.builder()
                        .steps(steps).batchSize(1).gradientAccumulation(1).flipProbability(0).seed(1).build());
                List<double[]> marks = new ArrayList<>();
                ConceptTraining.train(setup, request, (Progress p) -> marks.add(new double[] {System.nanoTime() / 1e6,
                        os.getProcessCpuTime() / 1e6}), () -> false);
                for (int i = 1; i < marks.size(); i++) {
                    System.out.printf(Locale.ROOT, "%.1f %.1f%n", marks.get(i)[0] - marks.get(i - 1)[0],
                            marks.get(i)[1] - marks.get(i - 1)[1]);
                }
                System.out.flush();
            }
            model.close();
        }
    }

    private static List<TrainingImage> photos(int side) {
        SplittableRandom random = new SplittableRandom(7);
        List<TrainingImage> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int[] rgb = new int[side * side];
            float[] mask = new float[side * side];
            for (int p = 0; p < rgb.length; p++) {
                rgb[p] = random.nextInt(1 << 24);
                mask[p] = random.nextDouble() < 0.5 ? 1f : 0f;
            }
            out.add(new TrainingImage("photo-" + i, side, side, rgb, Optional.of(mask)));
        }
        return out;
    }
}
