package dev.perfusion.djl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.djl.DjlRuntime;
import dev.perfusion.djl.testing.Fixtures;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs single UNet steps of this port on command, for {@code bench_unet.py}, which drives it in lockstep with
 * diffusers on the same weights and inputs: one step here, one step there, so that the drift of a shared machine
 * falls on both sides alike.
 *
 * <p>Arguments: unet folder and inputs file (latents, timesteps, encoder_hidden_states for batch 2). Prints
 * {@code ready <load ms>}, then reads commands {@code <kind> <steps>} from standard input, one per line, and
 * answers each step with a line {@code <wall ms> <process cpu ms>}. Kinds: {@code inference} (a
 * classifier-free-guidance pair, batch 2, no gradients) and {@code training} (batch 1, forward and backward to the
 * text encodings with the UNet frozen, as in concept training). End of input or {@code quit} ends the process.
 */
public final class UNetStepBenchmark {

    private final Engine engine;
    private final NDManager manager;
    private final UNet2DConditionModel unet;
    private final NDArray latents;
    private final NDArray timesteps;
    private final NDArray context;

    private UNetStepBenchmark(Engine engine, NDManager manager, UNet2DConditionModel unet, SafeTensorsReader inputs)
            throws IOException {
        this.engine = engine;
        this.manager = manager;
        this.unet = unet;
        this.latents = Fixtures.array(manager, inputs, "latents");
        this.timesteps = Fixtures.array(manager, inputs, "timesteps");
        this.context = Fixtures.array(manager, inputs, "encoder_hidden_states");
    }

    public static void main(String[] args) throws Exception {
        Engine engine = DjlRuntime.engine();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (NDManager manager = engine.newBaseManager();
                SafeTensorsReader inputs = SafeTensorsReader.open(Path.of(args[1]))) {
            long loadStart = System.nanoTime();
            UNet2DConditionModel unet = UNet2DConditionModel.load(Path.of(args[0]), manager);
            System.out.printf(Locale.ROOT, "ready %.1f%n", (System.nanoTime() - loadStart) / 1e6);
            System.out.flush();
            var benchmark = new UNetStepBenchmark(engine, manager, unet, inputs);
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                String[] command = line.split(" ");
                for (int i = 0; i < Integer.parseInt(command[1]); i++) {
                    long wall = System.nanoTime();
                    long cpu = os.getProcessCpuTime();
                    benchmark.step(command[0]);
                    System.out.printf(Locale.ROOT, "%.1f %.1f%n", (System.nanoTime() - wall) / 1e6,
                            (os.getProcessCpuTime() - cpu) / 1e6);
                }
                System.out.flush();
            }
            unet.close();
        }
    }

    private void step(String kind) {
        try (NDManager step = manager.newSubManager()) {
            switch (kind) {
                case "inference" -> {
                    latents.tempAttach(step);
                    timesteps.tempAttach(step);
                    context.tempAttach(step);
                    unet.forward(latents, timesteps, context).toFloatArray();
                }
                case "training" -> {
                    NDArray one = latents.get("0:1");
                    NDArray oneTime = timesteps.get("0:1");
                    NDArray text = context.get("0:1").duplicate();
                    for (NDArray array : new NDArray[] {one, oneTime, text}) {
                        array.attach(step);
                    }
                    text.setRequiresGradient(true);
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        collector.backward(unet.forward(one, oneTime, text).square().mean());
                    }
                    text.getGradient().toFloatArray();
                }
                default -> throw new IllegalArgumentException("unknown step kind: " + kind);
            }
        }
    }
}
