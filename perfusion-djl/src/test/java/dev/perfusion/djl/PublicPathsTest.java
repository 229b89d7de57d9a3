package dev.perfusion.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.Scheduler;
import dev.perfusion.djl.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The public calls a host application makes, run on the real backend and the fixture model. */
class PublicPathsTest {

    private static final Path SINGLE_FILE = Fixtures.ROOT.resolve("tiny-sd-single-file.safetensors");
    private static Perfusion perfusion;

    @BeforeAll
    static void open() throws IOException {
        perfusion = Perfusion.open(BaseModel.diffusers(Fixtures.MODEL));
    }

    @AfterAll
    static void close() {
        perfusion.close();
    }

    @Test
    void aSingleFileCheckpointOpensThroughThePublicApiAndDrawsTheFoldersImage() throws IOException {
        try (Perfusion single = Perfusion.open(BaseModel.singleFile(SINGLE_FILE, Fixtures.MODEL))) {
            assertThat(single.fingerprint()).isEqualTo(perfusion.fingerprint());
            assertThat(single.generator().prompt("a red cube").steps(3).seed(5).generate().images().get(0).rgb())
                    .isEqualTo(perfusion.generator().prompt("a red cube").steps(3).seed(5).generate().images()
                            .get(0).rgb());
        }
    }

    @Test
    void sizeZeroMeansTheModelsOwnSampleSize() {
        GeneratedImage image = perfusion.generator().prompt("a cat").steps(2).size(0, 0).generate().images().get(0);
        int expected = 16 * 2; // unet sample_size 16, two VAE levels
        assertThat(image.width()).isEqualTo(expected);
        assertThat(image.height()).isEqualTo(expected);
    }

    @Test
    void aSizeThatIsNotAMultipleOfTheVaeScaleIsRefusedWithTheScale() {
        assertThatThrownBy(() -> perfusion.generator().prompt("a cat").steps(2).size(33, 32).generate())
                .isInstanceOf(PerfusionException.class)
                .hasMessageContaining("image size 33x32 must be a multiple of 2");
    }

    @Test
    void unguidedGenerationIgnoresTheNegativePromptWhichGuidedGenerationFollows() {
        int[] unguidedA = draw(1.0, "blurry");
        int[] unguidedB = draw(1.0, "a dog on grass");
        assertThat(unguidedA).isEqualTo(unguidedB);
        assertThat(draw(7.5, "blurry")).isNotEqualTo(draw(7.5, "a dog on grass"));
    }

    @Test
    void ddimAndEulerRunThroughThePublicApiAndDdimEtaAddsNoiseOnlyWhenAsked() {
        int[] ddim = sample(Scheduler.DDIM, 0.0, 11);
        assertThat(sample(Scheduler.DDIM, 0.0, 11)).isEqualTo(ddim);
        assertThat(sample(Scheduler.DDIM, 0.0, 12)).as("the seed only sets the starting noise").isNotEqualTo(ddim);
        int[] stochastic = sample(Scheduler.DDIM, 1.0, 11);
        assertThat(stochastic).isNotEqualTo(ddim);
        assertThat(sample(Scheduler.DDIM, 1.0, 11)).isEqualTo(stochastic);
        int[] euler = sample(Scheduler.EULER, 0.0, 11);
        assertThat(sample(Scheduler.EULER, 0.0, 11)).isEqualTo(euler);
        assertThat(euler).isNotEqualTo(ddim);
        assertThat(sample(Scheduler.EULER_KARRAS, 0.0, 11)).isNotEqualTo(euler);
    }

    @Test
    void aGeneratedImageBecomesABufferedImageWithTheSamePixels() {
        GeneratedImage image = perfusion.generator().prompt("a cat").steps(2).size(32, 16).generate().images().get(0);
        BufferedImage buffered = image.toBufferedImage();
        assertThat(buffered.getWidth()).isEqualTo(32);
        assertThat(buffered.getHeight()).isEqualTo(16);
        int[] rgb = image.rgb();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                assertThat(buffered.getRGB(x, y) & 0xffffff).isEqualTo(rgb[y * 32 + x] & 0xffffff);
            }
        }
    }

    @RepeatedTest(20)
    void closingDuringAGenerationWaitsForItThenRefusesNewWork() throws Exception {
        Perfusion own = Perfusion.open(BaseModel.diffusers(Fixtures.MODEL));
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger steps = new AtomicInteger();
        CompletableFuture<GenerationResult> running = CompletableFuture.supplyAsync(() -> own.generator()
                .prompt("a cat").steps(12).seed(1).listener(p -> {
                    steps.incrementAndGet();
                    started.countDown();
                }).generate());
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        own.close();
        assertThat(steps.get()).as("close returned only after every step").isEqualTo(12);
        GenerationResult result = running.get();
        assertThat(result.images()).hasSize(1);
        assertThat(result.images().get(0).rgb()).isEqualTo(perfusion.generator().prompt("a cat").steps(12).seed(1)
                .generate().images().get(0).rgb());
        assertThatThrownBy(() -> own.generator().prompt("a cat").generate())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        own.close();
    }

    private static int[] draw(double guidance, String negative) {
        return perfusion.generator().prompt("a photo of a cat").negativePrompt(negative).guidance(guidance).steps(3)
                .seed(21).generate().images().get(0).rgb();
    }

    private static int[] sample(Scheduler scheduler, double eta, long seed) {
        return perfusion.generator().prompt("a photo of a cat").scheduler(scheduler).eta(eta).steps(4).seed(seed)
                .generate().images().get(0).rgb();
    }
}
