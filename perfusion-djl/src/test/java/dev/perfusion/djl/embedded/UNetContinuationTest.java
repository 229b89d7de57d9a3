package dev.perfusion.djl.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.djl.train.CheckpointFolder;
import dev.perfusion.djl.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetContinuationTest {

    private static final UNetTraining.Continuation FULL = UNetTraining.Continuation.of(CrossAttentionSpan.ALL);

    @Test
    void theContinuationRunsHalfTheUNetsStepsFromHalfItsPeakWithItsOwnSeed() {
        EmbeddedRecipe recipe = EmbeddedRecipe.kindAware();
        TrainingLoop.Settings unet = recipe.unet().settings();

        EmbeddedRecipe.Part more = UNetTraining.continuation(recipe);

        assertThat(more.settings().steps()).isEqualTo(8000);
        assertThat(more.settings().schedule().peak()).isEqualTo(unet.schedule().peak() / 2);
        assertThat(more.settings().schedule().at(more.settings().steps() - 1))
                .isCloseTo(unet.schedule().peak() / 2 * unet.schedule().floor(), Percentage.withPercentage(1));
        assertThat(more.seed()).isNotEqualTo(recipe.unet().seed());
        assertThat(more.batch()).isEqualTo(recipe.unet().batch());
        assertThat(more.settings().emaDecay()).isEqualTo(unet.emaDecay());
        assertThat(UNetTraining.continuation(recipe.scaled(0.001)).settings().steps()).isEqualTo(8);
    }

    @Test
    void aShorterContinuationFitsItsWarmupAndCosineToItsShareOfTheSteps() {
        EmbeddedRecipe recipe = EmbeddedRecipe.kindAware();
        EmbeddedRecipe.Part full = UNetTraining.continuation(recipe);

        EmbeddedRecipe.Part half = UNetTraining.continuation(recipe,
                new UNetTraining.Continuation(CrossAttentionSpan.WORDS_AND_END, 0.7, 0.5, 1));

        assertThat(half.settings().steps()).isEqualTo(4000);
        assertThat(half.settings().schedule().peak()).isEqualTo(full.settings().schedule().peak());
        assertThat(half.settings().schedule().at(3999))
                .isCloseTo(full.settings().schedule().at(7999), Percentage.withPercentage(1));
        assertThat(half.seed()).isEqualTo(full.seed());
        assertThat(UNetTraining.continuation(recipe, FULL)).isEqualTo(full);
        assertThatThrownBy(() -> new UNetTraining.Continuation(CrossAttentionSpan.ALL, 1.5, 1, 0))
                .hasMessageContaining("1.5");
    }

    @Test
    void aContinuationBeforeTheUNetHasFinishedNamesWhatIsMissing(@TempDir Path work) {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> UNetTraining.runContinuation(work, EmbeddedRecipe.kindAware(), "unet-continue",
                    UNetTraining.Continuation.of(CrossAttentionSpan.ALL), manager, p -> { }, () -> false))
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("model/unet/diffusion_pytorch_model.safetensors")
                    .hasMessageContaining("part unet, which has not finished");
        }
    }

    @Test
    void packagingRecordsTheContinuationOnlyOnceItHasRunAllItsSteps(@TempDir Path work) throws Exception {
        EmbeddedRecipe recipe = EmbeddedRecipe.kindAware();
        assertThat(UNetTraining.finishedContinuation(work, recipe, "unet-continue", FULL)).isEmpty();

        CheckpointFolder folder = new CheckpointFolder(work.resolve("checkpoints/unet-continue"));
        folder.save(dir -> Files.writeString(dir.resolve("state.json"),
                "{\"step\": 7999, \"record\": {\"start_sha256\": \"ab\"}}"));
        assertThat(UNetTraining.finishedContinuation(work, recipe, "unet-continue", FULL)).isEmpty();

        folder.save(dir -> Files.writeString(dir.resolve("state.json"),
                "{\"step\": 8000, \"record\": {\"start_sha256\": \"ab\"}}"));
        assertThat(UNetTraining.finishedContinuation(work, recipe, "unet-continue", FULL)).get()
                .extracting(r -> r.path("start_sha256").asText()).isEqualTo("ab");

        folder.save(dir -> Files.writeString(dir.resolve("state.json"), "{\"step\": 8000}"));
        assertThatThrownBy(() -> UNetTraining.finishedContinuation(work, recipe, "unet-continue", FULL))
                .hasMessageContaining("current/state.json").hasMessageContaining("'record'");
    }
}
