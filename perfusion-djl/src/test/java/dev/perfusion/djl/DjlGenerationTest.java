package dev.perfusion.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.Progress;
import dev.perfusion.api.Scheduler;
import dev.perfusion.core.testing.SampleConcepts;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Text-to-image through the public API on the fixture model. */
class DjlGenerationTest {

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
    void aSeedReproducesItsImageAloneOrInABatch() {
        for (Scheduler scheduler : List.of(Scheduler.EULER_ANCESTRAL, Scheduler.DPM_SOLVER_PP_2M)) {
            List<Progress> progress = new ArrayList<>();
            GenerationResult batch = perfusion.generator().prompt("a photo of a cat").negativePrompt("blurry")
                    .scheduler(scheduler).steps(4).size(32, 32).seed(7).batch(2).listener(progress::add).generate();
            GenerationResult alone = perfusion.generator().prompt("a photo of a cat").negativePrompt("blurry")
                    .scheduler(scheduler).steps(4).size(32, 32).seed(8).generate();
            GenerationResult again = perfusion.generator().prompt("a photo of a cat").negativePrompt("blurry")
                    .scheduler(scheduler).steps(4).size(32, 32).seed(8).generate();

            assertThat(batch.images()).extracting(GeneratedImage::seed).containsExactly(7L, 8L);
            assertThat(batch.images().get(0).width()).isEqualTo(32);
            assertThat(alone.images().get(0).rgb()).isEqualTo(again.images().get(0).rgb());
            assertThat(maxChannelDifference(batch.images().get(1), alone.images().get(0))).as(scheduler.name())
                    .isLessThanOrEqualTo(1);
            assertThat(maxChannelDifference(batch.images().get(0), batch.images().get(1))).isGreaterThan(1);
            assertThat(progress).hasSize(4);
        }
    }

    @Test
    void aConceptOfAnotherModelIsRefusedByFingerprint() {
        assertThatThrownBy(() -> perfusion.generator().prompt("<tom> on a sofa")
                .concepts(SampleConcepts.sd15("tom", 1)).generate())
                .isInstanceOf(dev.perfusion.api.PerfusionException.class)
                .hasMessageContaining("trained on base model sha256:0123abcd")
                .hasMessageContaining(perfusion.fingerprint());
        assertThat(perfusion.fingerprint()).matches("[0-9a-f]{32}");
    }

    private static int maxChannelDifference(GeneratedImage a, GeneratedImage b) {
        int[] x = a.rgb();
        int[] y = b.rgb();
        int worst = 0;
        for (int i = 0; i < x.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                worst = Math.max(worst, Math.abs(((x[i] >> shift) & 0xff) - ((y[i] >> shift) & 0xff)));
            }
        }
        return worst;
    }
}
