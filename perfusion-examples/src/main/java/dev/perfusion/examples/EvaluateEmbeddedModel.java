package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Judge;
import dev.perfusion.core.eval.CaptionGrid;
import dev.perfusion.core.eval.KindConfusion;
import dev.perfusion.core.eval.QualityEvaluation;
import dev.perfusion.core.eval.QualityReport;
import dev.perfusion.core.io.Folders;
import dev.perfusion.core.world.Captions;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.embedded.EmbeddedRecipe;
import dev.perfusion.djl.embedded.RandomModel;
import dev.perfusion.djl.judge.EmbeddedJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Prints the quality table of a model of the world: on held-out captions, how often the background, the object
 * colours, the kind (by the judge) and two objects' relation come out right; and the judge's own checks. With
 * {@code --random}, the same measurement on a randomly initialised model of the same shapes, which must score near
 * chance.
 */
@Command(name = "evaluate-embedded-model", mixinStandardHelpOptions = true,
        description = "Measure the embedded model (or a diffusers folder of the same world) on held-out captions.")
public final class EvaluateEmbeddedModel implements Callable<Integer> {

    @Option(names = "--model", description = "A diffusers folder of a world model (default: the embedded model).")
    private Path model;

    @Option(names = "--judge", description = "The judge folder (default: the embedded model's judge).")
    private Path judgeFolder;

    @Option(names = "--random", description = "Measure a randomly initialised model of the same shapes instead.")
    private boolean random;

    @Option(names = "--captions", description = "Held-out captions, half with two objects (default: ${DEFAULT-VALUE}).")
    private int captions = 200;

    @Option(names = "--steps", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    private int steps = 25;

    @Option(names = "--guidance", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    private double guidance = 7.5;

    @Option(names = "--judge-only", description = "Only check the judge.")
    private boolean judgeOnly;

    @Option(names = "--pictures", description = "A folder to write sample grids to: training.png (training "
            + "pictures beside what the model draws for their captions) and held-out.png (held-out captions).")
    private Path pictures;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EvaluateEmbeddedModel()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long worldSeed = EmbeddedRecipe.standard().worldSeed();
        Path randomFolder = null;
        BaseModel base = model == null ? BaseModel.embedded() : BaseModel.diffusers(model);
        if (random) {
            Path source = model != null ? model : dev.perfusion.core.embedded.EmbeddedModel.unpack();
            randomFolder = Files.createTempDirectory("perfusion-random-model");
            RandomModel.write(source, randomFolder, 1);
            base = BaseModel.diffusers(randomFolder);
            if (judgeFolder == null) {
                judgeFolder = source.resolve("judge");
            }
        }
        try (Perfusion perfusion = Perfusion.open(base);
                Judge ownJudge = judgeFolder != null ? EmbeddedJudge.load(judgeFolder) : null) {
            Judge judge = ownJudge != null ? ownJudge : perfusion.judge().orElseThrow(() ->
                    new IllegalArgumentException("this model ships no judge: give one with --judge"));
            long start = System.nanoTime();
            QualityReport judgeReport = QualityEvaluation.judge(judge, worldSeed, 200);
            System.out.println(judgeReport.table());
            if (judgeOnly) {
                return judgeReport.allMet() ? 0 : 1;
            }
            QualityEvaluation.Settings settings = new QualityEvaluation.Settings(worldSeed, captions, steps, guidance,
                    0);
            QualityEvaluation.Generated generated;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("generating").setInitialMax(captions)
                    .setStyle(ProgressBarStyle.ASCII).build()) {
                generated = QualityEvaluation.generate(perfusion, settings, p -> bar.stepTo(p.step()));
            }
            KindConfusion kinds = QualityEvaluation.kindConfusion(generated, judge);
            QualityReport report = QualityEvaluation.score(settings, generated, kinds);
            System.out.println((random ? "RANDOMLY INITIALISED MODEL. " : "") + report.table());
            System.out.println("Kinds the judge names for the lone objects drawn:");
            System.out.println(kinds.table());
            if (pictures != null) {
                writePictures(perfusion, generated, worldSeed);
            }
            System.out.printf("measured in %.1f min%n", (System.nanoTime() - start) / 6e10);
            return report.allMet() && judgeReport.allMet() ? 0 : 1;
        } finally {
            if (randomFolder != null) {
                Folders.deleteTree(randomFolder);
            }
        }
    }

    private void writePictures(Perfusion perfusion, QualityEvaluation.Generated generated, long worldSeed)
            throws java.io.IOException {
        int size = generated.size();
        int half = generated.scenes().size() / 2;
        List<CaptionGrid.Entry> heldOut = new ArrayList<>();
        for (int start : new int[] {0, half}) {
            for (int i = start; i < start + Math.min(4, half); i++) {
                Scene scene = generated.scenes().get(i);
                heldOut.add(new CaptionGrid.Entry(Captions.canonical(scene), Renderer.render(scene, size).rgb(),
                        generated.images().get(i)));
            }
        }
        World world = new World(worldSeed);
        List<CaptionGrid.Entry> training = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            World.Sample sample = world.sample(i);
            int[] drawn = perfusion.generator().prompt(sample.caption()).steps(steps).guidance(guidance).seed(i)
                    .generate().images().get(0).rgb();
            training.add(new CaptionGrid.Entry(sample.caption(), Renderer.render(sample.scene(), size).rgb(), drawn));
        }
        CaptionGrid.write(training, size, 128, 4, pictures.resolve("training.png"));
        CaptionGrid.write(heldOut, size, 128, 4, pictures.resolve("held-out.png"));
        System.out.println("wrote " + pictures.resolve("training.png") + " and " + pictures.resolve("held-out.png"));
    }
}
