package dev.perfusion.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void generatorBuildsACheckedRequestAndHandsItToTheService() {
        List<GenerationRequest> seen = new ArrayList<>();
        Generator g = new Generator((request, listener) -> {
            seen.add(request);
            return new GenerationResult(request, List.of(), Duration.ZERO);
        });
        Concept tom = concept("tom");

        g.prompt("<tom> on a sofa").concepts(tom).fidelity(FidelityControl.of(tom, 0.2)).steps(10).guidance(5)
                .size(64, 48).seed(9).batch(2).scheduler(Scheduler.DDIM).generate();

        assertThat(seen).singleElement().isEqualTo(new GenerationRequest("<tom> on a sofa", "", List.of(tom),
                List.of(FidelityControl.of(tom, 0.2)), Scheduler.DDIM, 10, 5, 64, 48, 9, 2));
        assertThatThrownBy(() -> g.size(63, 48).request()).hasMessageContaining("multiple of 8, got 63x48");
        assertThatThrownBy(() -> g.size(64, 48).concepts(tom).request())
                .hasMessageContaining("concept <tom> is given twice");
        assertThatThrownBy(() -> new Generator((r, l) -> null).request()).hasMessageContaining("prompt is empty");
    }

    @Test
    void trainerCollectsTheImagesOfAFolderInNameOrder(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("b.PNG"), new byte[1]);
        Files.write(dir.resolve("a.jpg"), new byte[1]);
        Files.write(dir.resolve("notes.txt"), new byte[1]);
        List<TrainingRequest> seen = new ArrayList<>();
        KeyLockTrainer trainer = new KeyLockTrainer((request, listener) -> {
            seen.add(request);
            return concept(request.name());
        });

        Concept tom = trainer.concept("tom").supercategory("cat").images(dir)
                .options(TrainingOptions.builder().steps(10).seed(3).build()).train();

        assertThat(tom.name()).isEqualTo("tom");
        assertThat(seen).singleElement().satisfies(r -> {
            assertThat(r.images()).containsExactly(dir.resolve("a.jpg"), dir.resolve("b.PNG"));
            assertThat(r.options().steps()).isEqualTo(10);
            assertThat(r.options().valueLearningRate()).isEqualTo(0.03);
        });
        assertThatThrownBy(() -> trainer.concept("tom").supercategory("cat").images(dir.resolve("none")))
                .hasMessageContaining("not a folder of images");
        assertThatThrownBy(() -> trainer.concept("tom").images(dir).train())
                .hasMessageContaining("needs a supercategory word");
    }

    @Test
    void progressEstimatesTheTimeLeftFromThePaceSoFar() {
        Progress p = new Progress("training", 25, 100, 0.1, Duration.ofSeconds(10));
        assertThat(p.fraction()).isEqualTo(0.25);
        assertThat(p.eta()).contains(Duration.ofSeconds(30));
        assertThat(new Progress("training", 0, 100, Double.NaN, Duration.ZERO).eta()).isEmpty();
        assertThatThrownBy(() -> new Progress("x", 5, 4, 0, Duration.ZERO)).hasMessageContaining("out of range");
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
