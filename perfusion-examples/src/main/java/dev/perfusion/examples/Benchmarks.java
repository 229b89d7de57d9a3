package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.Generator;
import dev.perfusion.api.Progress;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.HeldOutConcepts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The speed figures of the embedded model, printed as a Markdown table: opening the model, one guided 25-step image,
 * the cost of a sampling step with no, one and two concepts (runs interleaved, so the machine's drift falls on all),
 * and a concept-training step.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true,
        description = "Time the embedded model: loading, generation with and without concepts, training.")
public final class Benchmarks implements Callable<Integer> {

    @Option(names = "--runs", description = "Timed runs per measure (default: ${DEFAULT-VALUE}).")
    private int runs = 7;

    @Option(names = "--steps", description = "Sampling steps per image (default: ${DEFAULT-VALUE}).")
    private int steps = 25;

    @Option(names = "--out", description = "Folder for the concepts trained to time with (default: ${DEFAULT-VALUE}).")
    private Path out = Path.of("target", "benchmarks");

    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmarks()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<String[]> rows = new ArrayList<>();
        long start = System.nanoTime();
        Perfusion first = Perfusion.open(BaseModel.embedded());
        double firstOpen = seconds(start);
        first.close();
        double[] opens = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            Perfusion.open(BaseModel.embedded()).close();
            opens[i] = seconds(t);
        }
        rows.add(row("open the embedded model, first time in the JVM (engine start, cache check)", firstOpen, "s", ""));
        rows.add(row("open the embedded model again (median)", median(opens), "s", "< 1 s"));

        Files.createDirectories(out);
        try (Perfusion perfusion = Perfusion.open(BaseModel.embedded())) {
            List<Double> trainingSteps = new ArrayList<>();
            HeldOutConcept[] truths = {HeldOutConcepts.named("nemo").orElseThrow(),
                    HeldOutConcepts.named("cottage").orElseThrow()};
            Concept[] concepts = new Concept[2];
            for (int c = 0; c < 2; c++) {
                HeldOutPhotos.Folders folders = HeldOutPhotos.write(truths[c], 4, 1, out.resolve(truths[c].name()));
                List<Progress> marks = new ArrayList<>();
                concepts[c] = perfusion.trainer().concept(truths[c].name()).supercategory(truths[c].supercategory())
                        .images(folders.photos()).masks(folders.masks())
                        .options(perfusion.recommendedTrainingOptions().toBuilder().steps(6).build())
                        .listener(marks::add).train();
                for (int i = 2; i < marks.size(); i++) {
                    trainingSteps.add((marks.get(i).elapsed().toNanos() - marks.get(i - 1).elapsed().toNanos()) / 1e6);
                }
            }
            int batch = perfusion.recommendedTrainingOptions().batchSize()
                    * perfusion.recommendedTrainingOptions().gradientAccumulation();
            List<UnaryOperator<Generator>> variants = List.of(
                    g -> g.prompt("a fish above a house on grass"),
                    g -> g.prompt("a <nemo> above a house on grass").concepts(concepts[0]),
                    g -> g.prompt("a <nemo> above a <cottage> on grass").concepts(concepts));
            double[][] images = new double[3][runs];
            for (int v = 0; v < 3; v++) {
                time(perfusion, variants.get(v), 0);
            }
            for (int i = 0; i < runs; i++) {
                for (int v = 0; v < 3; v++) {
                    images[v][i] = time(perfusion, variants.get(v), i);
                }
            }
            double plain = median(images[0]);
            rows.add(row("one image, " + steps + " steps, guided, no concept (median)", plain, "s", "< 2 s"));
            String[] names = {"no concept", "one concept", "two concepts"};
            for (int v = 0; v < 3; v++) {
                double step = median(images[v]) / steps * 1000;
                String versus = v == 0 ? "" : String.format(Locale.ROOT, "%+.1f%% vs no concept",
                        100 * (median(images[v]) / plain - 1));
                rows.add(row("one sampling step, " + names[v] + " (median)", step, "ms",
                        v == 0 ? "" : "at most +10%: " + versus));
            }
            rows.add(row("one concept-training step, " + batch + " images (median)",
                    median(trainingSteps.stream().mapToDouble(Double::doubleValue).toArray()), "ms", ""));
        }
        System.out.printf("%n%s, %d cores, %s; %d runs per measure%n%n", System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version"), runs);
        System.out.println("| measure | value | target |");
        System.out.println("|---|---|---|");
        rows.forEach(r -> System.out.printf("| %s | %s | %s |%n", r[0], r[1], r[2]));
        return 0;
    }

    private double time(Perfusion perfusion, UnaryOperator<Generator> variant, int seed) {
        long t = System.nanoTime();
        variant.apply(perfusion.generator()).steps(steps).seed(seed).generate();
        return seconds(t);
    }

    private static String[] row(String measure, double value, String unit, String target) {
        return new String[] {measure, String.format(Locale.ROOT, unit.equals("s") ? "%.3f %s" : "%.1f %s", value,
                unit), target};
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
