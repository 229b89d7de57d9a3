package dev.perfusion.djl.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.safetensors.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs a {@link TrainingTask} to its last step with AdamW, an optional EMA of the weights, checkpoints and resume: on
 * start it continues from the newest checkpoint in its folder, if any. Every step's loss goes to {@code losses.csv}
 * beside the checkpoints (rows past a resumed checkpoint are dropped), and to the listener with the time left.
 */
public final class TrainingLoop {

    /**
     * How to run.
     *
     * @param steps           optimiser steps in all
     * @param schedule        the learning rate per step
     * @param weightDecay     AdamW's decoupled decay
     * @param clipNorm        global gradient-norm clip
     * @param emaDecay        decay of the weights' moving average; 0 for none
     * @param checkpointEvery steps between checkpoints
     */
    public record Settings(long steps, LearningRate schedule, double weightDecay, double clipNorm, double emaDecay,
            long checkpointEvery) {
    }

    /**
     * What a finished run leaves.
     *
     * @param parameters the trained weights (the EMA's where there is one)
     * @param losses     the loss of every step of this process, in order, from the first step it ran
     * @param resumedAt  the step this process started from
     */
    public record Result(Parameters parameters, List<Double> losses, long resumedAt) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingLoop() {
    }

    /**
     * Trains to {@code settings.steps()}, resuming from {@code folder}'s newest checkpoint.
     *
     * @param record     extra facts written to every checkpoint's {@code state.json} (seed, config)
     * @param cancelled  polled between steps; when true, the run checkpoints and throws {@link CancellationException}
     */
    public static Result run(TrainingTask task, Settings settings, CheckpointFolder folder, NDManager manager,
            JsonNode record, ProgressListener listener, BooleanSupplier cancelled) throws IOException {
        Parameters parameters = task.parameters().requireGradients();
        Engine engine = manager.getEngine();
        try (AdamW adam = new AdamW(parameters, manager, 0.9, 0.999, 1e-8, settings.weightDecay(),
                settings.clipNorm());
                Ema ema = settings.emaDecay() > 0 ? new Ema(parameters, manager, settings.emaDecay()) : null) {
            long start = 0;
            Optional<Checkpoint> latest = latest(folder);
            if (latest.isPresent()) {
                Checkpoint checkpoint = latest.get();
                refuseOtherRecord(task, checkpoint.folder(), checkpoint.record(), record);
                start = checkpoint.step();
                parameters.load(checkpoint.folder().resolve("parameters.safetensors"));
                adam.load(checkpoint.folder().resolve("optimizer.safetensors"));
                if (ema != null) {
                    ema.shadow().load(checkpoint.folder().resolve("ema.safetensors"));
                    ema.resume(checkpoint.emaUpdates());
                }
            }
            Path log = folder.root().resolve("losses.csv");
            truncateLog(log, start);
            List<Double> losses = new ArrayList<>();
            long began = System.nanoTime();
            double smoothed = Double.NaN;
            for (long step = start; step < settings.steps(); step++) {
                double loss;
                try (NDManager scope = manager.newSubManager()) {
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        NDArray value = task.loss(scope, step);
                        loss = value.getFloat();
                        if (!Double.isFinite(loss)) {
                            throw new IllegalStateException(task.name() + ": loss is " + loss + " at step " + step
                                    + "; the checkpoint of the last good step is kept in " + folder.root());
                        }
                        collector.backward(value);
                    }
                }
                double rate = settings.schedule().at(step);
                double norm = adam.step(rate);
                if (ema != null) {
                    ema.update();
                }
                losses.add(loss);
                smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
                appendLog(log, step, loss, rate, norm, (System.nanoTime() - began) / 1e9);
                long done = step + 1;
                listener.onProgress(new Progress(task.name(), done - start, settings.steps() - start, smoothed,
                        Duration.ofNanos(System.nanoTime() - began)));
                boolean stop = cancelled.getAsBoolean();
                if (done % settings.checkpointEvery() == 0 || done == settings.steps() || stop) {
                    save(folder, parameters, adam, ema, done, record);
                }
                if (stop && done < settings.steps()) {
                    throw new CancellationException(task.name() + " cancelled after step " + done
                            + "; it resumes from " + folder.root());
                }
            }
            return new Result(ema != null ? ema.shadow().copy(manager) : parameters, losses, start);
        }
    }

    /**
     * What a checkpoint's {@code state.json} says.
     *
     * @param folder     the checkpoint's folder
     * @param step       the steps run before it was written
     * @param emaUpdates the EMA updates made by then
     * @param record     the facts it was made with ({@code run}'s {@code record}), or null where the state has none
     */
    public record Checkpoint(Path folder, long step, long emaUpdates, JsonNode record) {
    }

    /** The newest checkpoint in {@code folder}, if there is one, read from its {@code state.json}. */
    public static Optional<Checkpoint> latest(CheckpointFolder folder) throws IOException {
        Optional<Path> latest = folder.latest();
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        Path file = latest.get().resolve("state.json");
        JsonNode state = JSON.readTree(file.toFile());
        if (!state.path("step").canConvertToLong()) {
            throw new IOException(file + ": expected a checkpoint state with a 'step'");
        }
        long step = state.get("step").asLong();
        return Optional.of(new Checkpoint(latest.get(), step, state.path("ema_updates").asLong(step),
                state.get("record")));
    }

    /**
     * Refuses to resume a checkpoint written under another record (another recipe, seed or shape): its weights
     * would be continued under settings they were not made with.
     */
    private static void refuseOtherRecord(TrainingTask task, Path checkpoint, JsonNode saved, JsonNode record)
            throws IOException {
        JsonNode current = record == null ? null : JSON.readTree(JSON.writeValueAsBytes(record));
        if (saved == null || current == null || saved.equals(current)) {
            return;
        }
        List<String> differing = new ArrayList<>();
        current.fieldNames().forEachRemaining(name -> {
            if (!current.get(name).equals(saved.get(name))) {
                differing.add(name);
            }
        });
        saved.fieldNames().forEachRemaining(name -> {
            if (!current.has(name)) {
                differing.add(name);
            }
        });
        throw new IllegalStateException(task.name() + ": the checkpoint " + checkpoint + " was made with another "
                + "recipe (differing: " + String.join(", ", differing) + "); resume it with the recipe it was made "
                + "with, or train into an empty work folder");
    }

    private static void save(CheckpointFolder folder, Parameters parameters, AdamW adam, Ema ema, long step,
            JsonNode record) throws IOException {
        folder.save(dir -> {
            parameters.save(dir.resolve("parameters.safetensors"), DType.F32);
            adam.save(dir.resolve("optimizer.safetensors"));
            if (ema != null) {
                ema.shadow().save(dir.resolve("ema.safetensors"), DType.F32);
            }
            ObjectNode state = JSON.createObjectNode();
            state.put("step", step);
            if (ema != null) {
                state.put("ema_updates", ema.updates());
            }
            state.set("record", record);
            Files.write(dir.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        });
    }

    private static void truncateLog(Path log, long keepBefore) throws IOException {
        List<String> kept = new ArrayList<>();
        kept.add("step,loss,learning_rate,gradient_norm,seconds");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (!line.isEmpty() && Character.isDigit(line.charAt(0))
                        && Long.parseLong(line.substring(0, line.indexOf(','))) < keepBefore) {
                    kept.add(line);
                }
            }
        }
        Files.createDirectories(log.getParent());
        Files.write(log, kept, StandardCharsets.UTF_8);
    }

    private static void appendLog(Path log, long step, double loss, double rate, double norm, double seconds)
            throws IOException {
        String line = String.format(Locale.ROOT, "%d,%.6f,%.6g,%.4f,%.1f%n", step, loss, rate, norm, seconds);
        Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
