package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.Gate;
import dev.perfusion.api.Judge;
import dev.perfusion.api.Progress;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.core.eval.ConceptEvaluation;
import dev.perfusion.core.eval.FidelitySweep;
import dev.perfusion.core.eval.SweepCsv;
import dev.perfusion.core.eval.SweepPictures;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.Relation;
import dev.perfusion.core.world.Rendering;
import dev.perfusion.core.world.World;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * What Perfusion buys, measured: trains (or reads back) a held-out concept three ways (Perfusion, textual inversion,
 * and the rank-one edit with trained keys instead of the key lock), sweeps the fidelity knob over held-out prompts,
 * scores every image with the embedded judge, and writes the image grid, the front plot and a CSV of the points,
 * testing each baseline point that dominates Perfusion's front on paired differences. With {@code --gates} it sweeps
 * explicit gates of the Perfusion concept instead, the measurement that sets the default fidelity curve.
 */
@Command(name = "fidelity-sweep", mixinStandardHelpOptions = true,
        description = "Sweep a concept's fidelity against two baselines on the embedded model.")
public final class FidelitySweepExample implements Callable<Integer> {

    @Option(names = "--concept", description = "A held-out concept of the world (default: ${DEFAULT-VALUE}).",
            defaultValue = "nemo", paramLabel = "<name>", completionCandidates = HeldOutConceptOption.Names.class,
            converter = HeldOutConceptOption.Converter.class)
    private HeldOutConcept truth;

    @Option(names = "--out", description = "Folder for concept files, PNGs and the CSV; concepts trained by an "
            + "earlier run there are reused (default: ${DEFAULT-VALUE}).")
    private Path out = Path.of("fidelity-sweep");

    @Option(names = "--levels", description = "Fidelity levels from 0 to 1 (default: ${DEFAULT-VALUE}).")
    private int levels = 5;

    @Option(names = "--prompts", description = "Held-out prompts (default: ${DEFAULT-VALUE}).")
    private int prompts = 20;

    @Option(names = "--seeds", description = "Images per prompt and setting (default: ${DEFAULT-VALUE}).")
    private int seeds = 2;

    @Option(names = "--steps", description = "Training steps per variant (default: ${DEFAULT-VALUE}).")
    private int steps = EmbeddedRecipes.STEPS;

    @Option(names = "--value-lr", paramLabel = "<rate>", description = "Learning rate of the value targets "
            + "(default: the model's recommended one). Concept files already in --out are read as they are.")
    private Double valueLearningRate;

    @Option(names = "--embedding-lr", paramLabel = "<rate>", description = "Learning rate of the token embedding "
            + "(default: the model's recommended one).")
    private Double embeddingLearningRate;

    @Option(names = "--template", paramLabel = "<template>", description = "A training prompt template with {} in "
            + "the concept's place; repeat for several (default: the model's own).")
    private List<String> trainingTemplates = List.of();

    @Option(names = "--seed", description = "Seed of training and sampling (default: ${DEFAULT-VALUE}).")
    private long seed = 1;

    @Option(names = "--gates", split = ",", paramLabel = "<beta>", description = "Instead of the three variants' "
            + "fidelity levels, sweep the Perfusion concept's gates at these betas (keys and values alike, "
            + "temperature --tau), print the table and write gates.csv: how the default fidelity curve is chosen.")
    private List<Double> betas = List.of();

    @Option(names = "--tau", description = "The gates' temperature with --gates (default: ${DEFAULT-VALUE}).")
    private double tau = 0.15;

    @Option(names = "--references", negatable = true, description = "Also score, with the same measures, the "
            + "world's own render of each prompt and the base model's picture of it with the supercategory word, on "
            + "all prompts and on each kind (default: ${DEFAULT-VALUE}).")
    private boolean references = true;

    @Mixin
    private EditFormOptions editForm = new EditFormOptions();

    @Option(names = "--key-beta", paramLabel = "<beta>", description = "With --gates, hold the key gate at this beta "
            + "(same --tau) and sweep the value gate alone; 2.0 all but closes it, so the concept token's key loses "
            + "its i* component and gets no locked key in its place (default: keys follow the values).")
    private Double keyBeta;

    @Option(names = "--report", paramLabel = "<points.csv>", description = "Instead of sweeping, print the tables "
            + "and verdicts of the points.csv an earlier run wrote (its --concept's).")
    private Path report;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FidelitySweepExample()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (report != null) {
            List<SweepPictures.Variant> variants = SweepCsv.read(report, truth.name());
            System.out.println(SweepPictures.table(variants));
            report(variants);
            reportByPromptKind(variants);
            if (references) {
                try (Perfusion perfusion = Perfusion.open(BaseModel.embedded())) {
                    reportReferences(perfusion, perfusion.judge().orElseThrow(), photos(), heldOutPrompts());
                }
            }
            return 0;
        }
        Files.createDirectories(out);
        long start = System.nanoTime();
        try (Perfusion perfusion = Perfusion.open(BaseModel.embedded())) {
            Judge judge = perfusion.judge().orElseThrow();
            List<int[]> photos = photos();
            List<ConceptEvaluation.HeldOutPrompt> heldOut = heldOutPrompts();
            List<String> templates = heldOut.stream().map(ConceptEvaluation.HeldOutPrompt::template).toList();

            if (!betas.isEmpty()) {
                sweepGates(perfusion, judge, photos, templates);
                System.out.printf(Locale.ROOT, "wrote %s in %.1f min%n", out.resolve("gates.csv"),
                        (System.nanoTime() - start) / 6e10);
                return 0;
            }
            List<SweepPictures.Variant> variants = new ArrayList<>();
            List<SweepPictures.Series> series = new ArrayList<>();
            for (ConceptMethod method : ConceptMethod.values()) {
                Concept trained = editForm.forGeneration(HeldOutPhotos.trainOrLoad(perfusion, truth,
                        options(perfusion, method), out));
                List<FidelitySweep.Setting> settings = method == ConceptMethod.TEXTUAL_INVERSION
                        ? List.of(new FidelitySweep.Setting("embedding only", 0.5, Optional.empty()))
                        : FidelitySweep.Setting.levels(trained, levels);
                FidelitySweep.Result result = Progressbars.with("sweeping " + method.id(), listener ->
                        FidelitySweep.run(perfusion, judge, trained, photos, World.SIZE, settings, templates, 5000,
                                seeds, listener));
                variants.add(new SweepPictures.Variant(method.id(), result));
                series.add(new SweepPictures.Series(method.id(), result.settings(), settings.size() > 1));
                if (method == ConceptMethod.PERFUSION) {
                    SweepPictures.grid(result, out.resolve("grid.png"), 128);
                }
            }
            SweepPictures.plot("<" + truth.name() + ">: image against text similarity", series,
                    out.resolve("front.png"));
            SweepCsv.write(variants, out.resolve("points.csv"));
            System.out.println(SweepPictures.table(variants));
            report(variants);
            reportByPromptKind(variants);
            if (references) {
                reportReferences(perfusion, judge, photos, heldOut);
            }
        }
        System.out.printf(Locale.ROOT, "wrote %s, %s and %s in %.1f min%n", out.resolve("grid.png"),
                out.resolve("front.png"), out.resolve("points.csv"), (System.nanoTime() - start) / 6e10);
        return 0;
    }

    private void sweepGates(Perfusion perfusion, Judge judge, List<int[]> photos, List<String> templates)
            throws Exception {
        Concept trained = editForm.forGeneration(HeldOutPhotos.trainOrLoad(perfusion, truth,
                options(perfusion, ConceptMethod.PERFUSION), out));
        List<FidelitySweep.Setting> settings = new ArrayList<>();
        for (double beta : betas) {
            Gate gate = new Gate(beta, tau);
            Gate key = keyBeta == null ? gate : new Gate(keyBeta, tau);
            String label = String.format(Locale.ROOT, "beta %.2f tau %.2f", beta, tau)
                    + (keyBeta == null ? "" : String.format(Locale.ROOT, ", key beta %.2f", keyBeta));
            settings.add(new FidelitySweep.Setting(label, beta,
                    Optional.of(FidelityControl.explicit(trained.name(), key, gate))));
        }
        FidelitySweep.Result result = Progressbars.with("sweeping gates", listener -> FidelitySweep.run(perfusion,
                judge, trained, photos, World.SIZE, settings, templates, 5000, seeds, listener));
        List<SweepPictures.Variant> variants = List.of(new SweepPictures.Variant("perfusion", result));
        SweepCsv.write(variants, out.resolve("gates.csv"));
        System.out.println(SweepPictures.table(variants));
    }

    private TrainingOptions options(Perfusion perfusion, ConceptMethod method) {
        TrainingOptions.Builder b = HeldOutPhotos.options(perfusion, method, steps, seed);
        if (valueLearningRate != null) {
            b.valueLearningRate(valueLearningRate);
        }
        if (embeddingLearningRate != null) {
            b.embeddingLearningRate(embeddingLearningRate);
        }
        if (!trainingTemplates.isEmpty()) {
            b.templates(trainingTemplates);
        }
        return editForm.applyTo(b).build();
    }

    private List<int[]> photos() {
        return truth.views(6, seed, World.SIZE).stream().map(Rendering::rgb).toList();
    }

    private List<ConceptEvaluation.HeldOutPrompt> heldOutPrompts() {
        return ConceptEvaluation.prompts(truth, new World(EmbeddedRecipes.WORLD_SEED), prompts);
    }

    /**
     * Prints what the two measures give two pictures of each prompt made without the concept: the world's own render
     * (the concept's instance exactly where the prompt puts it, the most a variant could reach) and the base model's
     * picture with the supercategory word (same seeds as the sweep's, what the concept starts from).
     */
    private void reportReferences(Perfusion perfusion, Judge judge, List<int[]> photos,
            List<ConceptEvaluation.HeldOutPrompt> heldOut) throws Exception {
        List<String> templates = heldOut.stream().map(ConceptEvaluation.HeldOutPrompt::template).toList();
        List<List<int[]>> renders = heldOut.stream().map(p -> List.of(ConceptEvaluation.truth(p))).toList();
        FidelitySweep.Result world = FidelitySweep.score(judge, truth.name(), truth.supercategory(), photos,
                World.SIZE, "the world's own render", templates, renders,
                heldOut.stream().map(p -> List.of(0L)).toList());
        List<List<int[]>> words = new ArrayList<>();
        List<List<Long>> wordSeeds = new ArrayList<>();
        Progressbars.with("the supercategory word", listener -> {
            long start = System.nanoTime();
            for (int p = 0; p < heldOut.size(); p++) {
                var images = perfusion.generator().prompt(heldOut.get(p).withWord(truth.supercategory()))
                        .seed(5000 + 100L * p).batch(seeds).generate().images();
                words.add(images.stream().map(i -> i.rgb()).toList());
                wordSeeds.add(images.stream().map(i -> i.seed()).toList());
                listener.onProgress(new Progress("the supercategory word", p + 1, heldOut.size(), Double.NaN,
                        Duration.ofNanos(System.nanoTime() - start)));
            }
            return null;
        });
        FidelitySweep.Result word = FidelitySweep.score(judge, truth.name(), truth.supercategory(), photos,
                World.SIZE, "\"" + truth.supercategory() + "\", no concept", templates, words, wordSeeds);
        System.out.printf("%nreferences, scored as the sweep scores its images:%n%n");
        System.out.println("| reference | prompts | image similarity | text similarity |");
        System.out.println("|---|---|---|---|");
        for (FidelitySweep.Result r : List.of(world, word)) {
            for (String kind : List.of("all", "alone", "beside a second object")) {
                FidelitySweep.Result kept = kind.equals("all") ? r
                        : r.restrictedTo(t -> besideASecondObject(t) == kind.startsWith("beside"));
                FidelitySweep.Summary m = kept.settings().get(0);
                System.out.printf(Locale.ROOT, "| %s | %s | %.3f +- %.3f | %.3f +- %.3f |%n", m.setting(), kind,
                        m.image(), m.imageCi(), m.text(), m.textCi());
            }
        }
    }

    /**
     * Prints the tables and verdicts again on the prompts with the concept alone on a backdrop and on those with a
     * second object beside it: a concept that holds in one kind of prompt and vanishes in the other shows it here.
     */
    private static void reportByPromptKind(List<SweepPictures.Variant> variants) {
        for (boolean second : new boolean[] {false, true}) {
            List<SweepPictures.Variant> kept = variants.stream().map(v -> new SweepPictures.Variant(v.name(),
                    v.result().restrictedTo(prompt -> besideASecondObject(prompt) == second))).toList();
            long count = kept.get(0).result().points().stream().map(FidelitySweep.Point::prompt).distinct().count();
            System.out.printf("%non the prompts %s (%d distinct):%n%n", second ? "with a second object beside the "
                    + "concept" : "with the concept alone", count);
            System.out.println(SweepPictures.table(kept));
            report(kept);
        }
    }

    private static boolean besideASecondObject(String template) {
        return Arrays.stream(Relation.values()).anyMatch(r -> template.startsWith("a {} " + r.phrase() + " "));
    }

    /** Prints whether the knob moves both scores monotonically and whether a baseline beats Perfusion's front. */
    private static void report(List<SweepPictures.Variant> variants) {
        FidelitySweep.Result perfusion = variants.get(0).result();
        List<FidelitySweep.Summary> curve = perfusion.settings();
        boolean imageRises = true;
        boolean textFalls = true;
        for (int i = 1; i < curve.size(); i++) {
            FidelitySweep.Summary a = curve.get(i - 1);
            FidelitySweep.Summary b = curve.get(i);
            imageRises &= b.image() + b.imageCi() + a.imageCi() >= a.image();
            textFalls &= b.text() - b.textCi() - a.textCi() <= a.text();
        }
        System.out.printf("as fidelity rises, image similarity %s and text similarity %s (monotone within the 95%% "
                + "intervals)%n", imageRises ? "never falls" : "FALLS", textFalls ? "never rises" : "RISES");
        List<String> imageDips = new ArrayList<>();
        List<String> textRises = new ArrayList<>();
        for (int i = 1; i < curve.size(); i++) {
            if (curve.get(i).image() < curve.get(i - 1).image()) {
                imageDips.add(curve.get(i).setting());
            }
            if (curve.get(i).text() > curve.get(i - 1).text()) {
                textRises.add(curve.get(i).setting());
            }
        }
        System.out.printf("by the means alone: image similarity %s; text similarity %s%n",
                imageDips.isEmpty() ? "rises at every step" : "drops at " + String.join(", ", imageDips),
                textRises.isEmpty() ? "falls at every step" : "rises at " + String.join(", ", textRises));
        FidelitySweep.Summary low = curve.get(0);
        FidelitySweep.Summary high = curve.get(curve.size() - 1);
        FidelitySweep.PairedDifference ends = FidelitySweep.paired(perfusion.points(high.setting()),
                perfusion.points(low.setting()));
        System.out.printf("from %s to %s, %s: the knob %s%n", low.setting(), high.setting(), ends.describe(),
                ends.image() - ends.imageCi() > 0 && ends.text() + ends.textCi() < 0
                        ? "trades likeness for the prompt beyond chance"
                        : "does NOT trade beyond chance (image " + (ends.image() - ends.imageCi() > 0 ? "rises"
                                : "does not rise") + ", text " + (ends.text() + ends.textCi() < 0 ? "falls"
                                : "does not fall") + ")");
        for (SweepPictures.Variant baseline : variants.subList(1, variants.size())) {
            List<String> beating = new ArrayList<>();
            for (FidelitySweep.Summary b : baseline.result().settings()) {
                for (FidelitySweep.Summary p : perfusion.pareto()) {
                    if (b.dominates(p)) {
                        FidelitySweep.PairedDifference d = FidelitySweep.paired(
                                baseline.result().points(b.setting()), perfusion.points(p.setting()));
                        beating.add(b.setting() + " over " + p.setting() + " (" + d.describe() + ", "
                                + (d.significantlyDominates() ? "beyond chance" : "within chance") + ")");
                    }
                }
            }
            System.out.printf("%s: %s%n", baseline.name(), beating.isEmpty()
                    ? "dominates no point of Perfusion's front"
                    : "DOMINATES" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ",
                            beating));
        }
    }
}
