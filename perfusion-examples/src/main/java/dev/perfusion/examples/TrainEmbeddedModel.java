package dev.perfusion.examples;

import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.djl.embedded.EmbeddedRecipe;
import dev.perfusion.djl.embedded.EmbeddedTraining;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * Retrains the embedded base model, part by part, on this machine's CPU (or GPU). Each part checkpoints as it goes
 * and resumes when run again; see docs/embedded-model.md.
 */
@Command(name = "train-embedded-model", mixinStandardHelpOptions = true,
        description = {"Train parts of the embedded base model; each resumes from its newest checkpoint.",
            "Create a file named STOP in the work folder to pause: the part checkpoints and the run exits (code 4)."})
public final class TrainEmbeddedModel implements Callable<Integer> {

    /** A file in the work folder that pauses a run: the part checkpoints after its current step and the run exits. */
    static final String STOP_FILE = "STOP";
    /** Exit code of a run paused by {@link #STOP_FILE}. */
    static final int PAUSED = 4;

    @Parameters(arity = "1..*", description = "Parts to run, in order: ${COMPLETION-CANDIDATES}.",
            converter = PartConverter.class, completionCandidates = PartNames.class)
    private List<EmbeddedTraining.Part> parts;

    @Option(names = "--work", description = "Folder of checkpoints and the model made (default: ${DEFAULT-VALUE}).")
    private Path work = Path.of("embedded-training");

    @Option(names = "--out", description = "Where part 'package' writes the shipped resources "
            + "(default: ${DEFAULT-VALUE}).")
    private Path out = Path.of("perfusion-core/src/main/resources/dev/perfusion/embedded");

    @Option(names = "--scale", description = "Multiply every part's steps by this, for a quick trial "
            + "(default: ${DEFAULT-VALUE}).")
    private double scale = 1.0;

    @Option(names = "--recipe", description = "The recipe: standard, kind-aware (the shipped model's), "
            + "swapped-kinds or kind-tokens (default: ${DEFAULT-VALUE}).")
    private String recipeName = EmbeddedTraining.SHIPPED_RECIPE;

    @Option(names = "--log-every", description = "Without a terminal, print a progress line every N steps "
            + "(default: ${DEFAULT-VALUE}).")
    private int logEvery = 50;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainEmbeddedModel()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(work);
        try (FileChannel lockFile = FileChannel.open(work.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                System.err.println("another training run holds " + work.toAbsolutePath() + "; two PyTorch "
                        + "trainings on one machine's cores slow each other several times over, so run parts one "
                        + "after another");
                return 3;
            }
            return runParts();
        }
    }

    /** The lock, or null where another run, in this process or another, holds it. */
    private static FileLock tryLock(FileChannel channel) throws java.io.IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    private int runParts() throws Exception {
        EmbeddedRecipe named = EmbeddedRecipe.named(recipeName);
        EmbeddedRecipe recipe = scale == 1.0 ? named : named.scaled(scale);
        Path stop = work.resolve(STOP_FILE);
        Files.deleteIfExists(stop);
        for (EmbeddedTraining.Part part : parts) {
            long start = System.nanoTime();
            if (part == EmbeddedTraining.Part.PACKAGE) {
                EmbeddedTraining.pack(work, out, recipe, recipeName);
                System.out.printf(Locale.ROOT, "package: wrote %s%n", out.toAbsolutePath());
                continue;
            }
            List<Double> losses;
            try {
                losses = train(part, recipe, () -> Files.exists(stop));
            } catch (CancellationException e) {
                Files.deleteIfExists(stop);
                System.out.println("paused: " + e.getMessage());
                return PAUSED;
            }
            System.out.printf(Locale.ROOT, "%s: %d steps in %.1f min%s%n", part.id(), losses.size(),
                    (System.nanoTime() - start) / 6e10, losses.isEmpty() ? " (already complete)"
                            : String.format(Locale.ROOT, ", loss %.4f -> %.4f", losses.get(0),
                                    losses.get(losses.size() - 1)));
        }
        return 0;
    }

    /** Runs one part, with a progress bar on a terminal and progress lines otherwise. */
    private List<Double> train(EmbeddedTraining.Part part, EmbeddedRecipe recipe, BooleanSupplier cancelled)
            throws java.io.IOException {
        if (System.console() == null) {
            return EmbeddedTraining.run(part, work, recipe, lines(), cancelled);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(part.id()).setStyle(ProgressBarStyle.ASCII)
                .setInitialMax(1).build()) {
            return EmbeddedTraining.run(part, work, recipe, p -> {
                bar.maxHint(p.total());
                bar.stepTo(p.step());
                bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", p.loss()));
            }, cancelled);
        }
    }

    private ProgressListener lines() {
        return (Progress p) -> {
            if (p.step() % logEvery == 0 || p.step() == p.total()) {
                System.out.printf(Locale.ROOT, "%s %d/%d loss %.4f elapsed %ds eta %s%n", p.stage(), p.step(),
                        p.total(), p.loss(), p.elapsed().toSeconds(),
                        p.eta().map(d -> d.toMinutes() + " min").orElse("?"));
                System.out.flush();
            }
        };
    }

    /** Reads part names. */
    static final class PartConverter implements CommandLine.ITypeConverter<EmbeddedTraining.Part> {
        @Override
        public EmbeddedTraining.Part convert(String value) {
            return EmbeddedTraining.Part.of(value);
        }
    }

    /** Lists part names for the help text. */
    static final class PartNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(EmbeddedTraining.Part.values()).map(EmbeddedTraining.Part::id).iterator();
        }
    }
}
