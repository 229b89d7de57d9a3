package dev.perfusion.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiValuesTest {

    private static Concept concept(String name) {
        return Concept.builder().name(name).supercategory(" cat ").tokenEmbedding(new float[] {1, 2})
                .conceptInput(new float[] {1, 0}).supercategoryInput(new float[] {0, 1})
                .valueTarget("l0", new float[] {3, 4, 5}).build();
    }

    @Test
    void conceptsAreImmutableAndCompareByContent() {
        float[] input = {1, 0};
        Concept a = Concept.builder().name("tom").supercategory("cat").tokenEmbedding(new float[] {1, 2})
                .conceptInput(input).supercategoryInput(new float[] {0, 1})
                .valueTarget("l0", new float[] {3, 4, 5}).build();
        input[0] = 99;
        a.conceptInput()[1] = 42;

        assertThat(a.conceptInput()).containsExactly(1, 0);
        assertThat(a).isEqualTo(concept("tom"));
        assertThat(a.supercategory()).isEqualTo("cat");
        assertThat(a.toBuilder().name("jerry").build()).isNotEqualTo(a);
        assertThatThrownBy(() -> a.valueTarget("l9")).hasMessageContaining("has [l0]");
    }

    @Test
    void invalidConceptsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> concept("two words")).hasMessageContaining("invalid concept name 'two words'");
        assertThatThrownBy(() -> concept("tom").toBuilder().supercategory(" ").build())
                .hasMessageContaining("needs a supercategory word");
        assertThatThrownBy(() -> concept("tom").toBuilder().supercategoryInput(new float[] {1, 2, 3}).build())
                .hasMessageContaining("i* has 2 values but i_s has 3");
        assertThatThrownBy(() -> concept("tom").toBuilder().valueTarget("l0", new float[] {Float.NaN}).build())
                .hasMessageContaining("value target of layer 'l0' has a non-finite value NaN at 0");
        assertThatThrownBy(() -> concept("tom").toBuilder().keyTarget("l7", new float[] {1}).build())
                .hasMessageContaining("key target for layer 'l7' has no value target beside it");
    }

    @Test
    void fidelityMustLieInTheUnitInterval() {
        assertThat(FidelityControl.of(concept("tom"), 0.7)).isEqualTo(new FidelityControl.Level("tom", 0.7));
        assertThatThrownBy(() -> FidelityControl.of("tom", 1.2))
                .hasMessageContaining("fidelity of concept <tom> must be in [0, 1], got 1.2");
    }

    @Test
    void requestsRefuseValuesOutsideTheirLimitsByName() {
        Concept tom = concept("tom");
        GenerationRequest ok = new GenerationRequest("<tom>", "", List.of(tom), List.of(), MultiConceptMode.EXACT,
                false, false, Scheduler.DDIM, 10, 5, 0, 64, 48, 9, 2);
        assertThat(ok.batch()).isEqualTo(2);
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.DDIM, 0, 5, 0, 0, 0, 0, 1)).hasMessageContaining("steps must be in 1..1000, got 0");
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.DDIM, 10, 0.5, 0, 0, 0, 0, 1)).hasMessageContaining("guidance must be finite and >= 1");
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.DDIM, 10, 5, 0, 64, 0, 0, 1)).hasMessageContaining("got 64x0");
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.EULER, 10, 5, 0.5, 0, 0, 0, 1)).hasMessageContaining("EULER takes no eta");
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.DDIM, 10, 5, 0, 8192, 8192, 0, 1)).hasMessageContaining("up to 4096");
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.DDIM, 10, 5, 0, 0, 0, 0, 65)).hasMessageContaining("batch must be in 1..64, got 65");
        assertThatThrownBy(() -> new GenerationRequest(" ", "", List.of(), List.of(), MultiConceptMode.EXACT, false, false,
                Scheduler.DDIM, 10, 5, 0, 0, 0, 0, 1)).hasMessageContaining("prompt is empty");
        assertThatThrownBy(() -> new GenerationRequest("a", "", List.of(tom, tom), List.of(), MultiConceptMode.EXACT,
                false, false, Scheduler.DDIM, 10, 5, 0, 0, 0, 0, 1)).hasMessageContaining("concept <tom> is given twice");
        assertThatThrownBy(() -> TrainingOptions.builder().steps(0).build()).hasMessageContaining("steps must be");
        assertThatThrownBy(() -> TrainingOptions.builder().emaDecay(1).build()).hasMessageContaining("emaDecay");
        assertThatThrownBy(() -> TrainingOptions.builder().flipProbability(-0.1).build())
                .hasMessageContaining("flipProbability");
        assertThatThrownBy(() -> TrainingOptions.builder().valueLearningRate(0).build())
                .hasMessageContaining("learning rates must be positive");
        TrainingImage image = new TrainingImage("a.png", 2, 1, new int[] {1, 2}, java.util.Optional.empty());
        assertThatThrownBy(() -> new TrainingRequest("tom", "cat", List.of(), TrainingOptions.defaults()))
                .hasMessageContaining("needs 1 to 100 images");
        assertThatThrownBy(() -> new TrainingRequest("tom", " ", List.of(image), TrainingOptions.defaults()))
                .hasMessageContaining("needs a supercategory word");
        assertThatThrownBy(() -> new TrainingImage("m.png", 2, 1, new int[] {1, 2},
                java.util.Optional.of(new float[] {0.5f, 2f}))).hasMessageContaining("m.png: mask values");
    }

    @Test
    void aGeneratedImageBecomesABufferedImageWithTheSamePixels() {
        int[] rgb = {0xFF0000, 0x00FF00, 0x0000FF, 0x123456, 0xABCDEF, 0};
        GeneratedImage image = new GeneratedImage(3, 2, rgb, 7);
        java.awt.image.BufferedImage b = image.toBufferedImage();
        assertThat(b.getWidth()).isEqualTo(3);
        assertThat(b.getHeight()).isEqualTo(2);
        for (int i = 0; i < rgb.length; i++) {
            assertThat(b.getRGB(i % 3, i / 3) & 0xFFFFFF).isEqualTo(rgb[i]);
        }
    }

    @Test
    void progressEstimatesTheTimeLeftFromThePaceSoFar() {
        Progress p = new Progress("training", 25, 100, 0.1, Duration.ofSeconds(10));
        assertThat(p.fraction()).isEqualTo(0.25);
        assertThat(p.eta()).contains(Duration.ofSeconds(30));
        assertThat(new Progress("training", 0, 100, Double.NaN, Duration.ZERO).eta()).isEmpty();
        assertThatThrownBy(() -> new Progress("x", 5, 4, 0, Duration.ZERO)).hasMessageContaining("out of range");
        assertThat(p).hasToString("training: 25/100, loss 0.1000, 0:10 elapsed, 0:30 left");
        assertThat(new Progress("sampling", 0, 25, Double.NaN, Duration.ofSeconds(3725)))
                .hasToString("sampling: 0/25, 1:02:05 elapsed");
    }

    @Test
    void baseModelsNeedALocationExceptTheEmbeddedOne() {
        assertThat(BaseModel.embedded().location()).isEmpty();
        assertThat(BaseModel.diffusers(Path.of("sd15")).toString()).isEqualTo("DIFFUSERS sd15");
        assertThatThrownBy(() -> new BaseModel(BaseModel.Kind.DIFFUSERS, java.util.Optional.empty(),
                java.util.Optional.empty())).hasMessageContaining("needs a location");
        assertThatThrownBy(() -> new BaseModel(BaseModel.Kind.SINGLE_FILE, java.util.Optional.of(Path.of("m")),
                java.util.Optional.empty())).hasMessageContaining("holds weights only");
    }
}
