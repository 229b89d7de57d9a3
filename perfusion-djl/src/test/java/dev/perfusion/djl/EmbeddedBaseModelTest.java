package dev.perfusion.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.Judge;
import dev.perfusion.api.TrainingImage;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.eval.PixelOracle;
import dev.perfusion.core.eval.QualityEvaluation;
import dev.perfusion.core.eval.QualityReport;
import dev.perfusion.core.world.Captions;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.HeldOutConcepts;
import dev.perfusion.core.world.Rendering;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.concept.ConceptTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped embedded model, opened from perfusion-core's jar on the class path: it draws what it is asked, its judge
 * tells kinds and instances apart, and a short concept training run fits the training views better than the start.
 */
class EmbeddedBaseModelTest {

    private static DjlBackend backend;
    private static long worldSeed;

    @BeforeAll
    static void open() throws IOException {
        System.setProperty("perfusion.cache", Files.createTempDirectory("perfusion-cache").toString());
        backend = DjlBackend.open(BaseModel.embedded(), BackendOptions.defaults());
        worldSeed = EmbeddedModel.manifest(EmbeddedBaseModelTest.class.getClassLoader()).path("world_seed").asLong();
    }

    @AfterAll
    static void close() {
        backend.close();
        System.clearProperty("perfusion.cache");
    }

    @Test
    void itDrawsTheBackgroundsThatHeldOutCaptionsAskFor() throws IOException {
        try (Perfusion perfusion = Perfusion.open(BaseModel.embedded())) {
            World world = new World(worldSeed);
            int right = 0;
            int n = 8;
            for (int i = 0; i < n; i++) {
                Scene scene = world.singleObjectScene(World.Stream.EVALUATION, 500 + i);
                int[] rgb = perfusion.generator().prompt(Captions.canonical(scene)).steps(20).seed(i).generate()
                        .images().get(0).rgb();
                right += PixelOracle.check(scene, PixelOracle.read(rgb, World.SIZE)).background() ? 1 : 0;
            }
            assertThat(right).as("backgrounds right of %d", n).isGreaterThanOrEqualTo(6);
        }
    }

    @Test
    void itsJudgeTellsKindsZeroShotAndRanksAConceptsOwnViewsFirst() {
        Judge judge = backend.judge().orElseThrow();
        QualityReport report = QualityEvaluation.judge(judge, worldSeed, 200);
        assertThat(report.check(QualityEvaluation.ZERO_SHOT).fraction()).as(report.table()).isGreaterThanOrEqualTo(0.9);
        assertThat(report.check(QualityEvaluation.INSTANCE).fraction()).as(report.table()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void sixtyTrainingStepsLowerTheDiffusionLossOnTheTrainingViews() {
        HeldOutConcept nemo = HeldOutConcepts.named("nemo").orElseThrow();
        List<TrainingImage> views = new ArrayList<>();
        for (Rendering r : nemo.views(4, 1, World.SIZE)) {
            views.add(new TrainingImage("nemo " + views.size(), World.SIZE, World.SIZE, r.rgb(),
                    Optional.of(r.masks().get(0))));
        }
        ConceptTraining.Setup setup = backend.conceptSetup();
        TrainingOptions recipe = EmbeddedModel.conceptTraining().toBuilder().seed(3).build();
        Concept start = ConceptTraining.train(setup, new TrainingRequest("nemo", "fish", views, recipe.toBuilder()
                .steps(1).valueLearningRate(1e-30).embeddingLearningRate(0).build()), p -> { }, () -> false);
        Concept trained = ConceptTraining.train(setup, new TrainingRequest("nemo", "fish", views, recipe.toBuilder()
                .steps(60).build()), p -> { }, () -> false);
        TrainingRequest photos = new TrainingRequest("nemo", "fish", views, recipe);
        int[] timesteps = {50, 200, 400, 600, 800};
        double before = ConceptTraining.diffusionLoss(setup, start, photos, timesteps, 7);
        double after = ConceptTraining.diffusionLoss(setup, trained, photos, timesteps, 7);
        assertThat(after).as("fixed-draw diffusion loss after 60 steps vs at the start").isLessThan(before * 0.98);
    }
}
