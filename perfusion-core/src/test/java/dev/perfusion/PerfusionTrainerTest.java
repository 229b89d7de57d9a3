package dev.perfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.Concept;
import dev.perfusion.api.KeyLockTrainer;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.testing.SampleConcepts;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfusionTrainerTest {

    private final List<TrainingRequest> seen = new ArrayList<>();
    private final KeyLockTrainer trainer = new PerfusionTrainer((request, listener, cancelled) -> {
        seen.add(request);
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("cancelled");
        }
        return SampleConcepts.sd15(request.name(), 1);
    }, RECOMMENDED);

    private static final TrainingOptions RECOMMENDED = TrainingOptions.builder().steps(123).batchSize(2).build();

    private static void png(Path file, int rgb) throws IOException {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }

    @Test
    void theImagesOfAFolderAreReadInNameOrderWithTheirMasks(@TempDir Path dir) throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Path masks = Files.createDirectories(dir.resolve("masks"));
        png(photos.resolve("b.PNG"), 0x0000FF);
        png(photos.resolve("a.png"), 0xFF0000);
        Files.writeString(photos.resolve("notes.txt"), "not an image");
        png(masks.resolve("a.png"), 0xFFFFFF);
        png(masks.resolve("b.PNG"), 0x000000);

        Concept tom = trainer.concept("tom").supercategory("cat").images(photos).masks(masks)
                .options(TrainingOptions.builder().steps(10).seed(3).build()).train();

        assertThat(tom.name()).isEqualTo("tom");
        assertThat(seen).singleElement().satisfies(r -> {
            assertThat(r.images()).extracting(i -> Path.of(i.source()).getFileName().toString())
                    .containsExactly("a.png", "b.PNG");
            assertThat(r.images().get(0).rgb()[0]).isEqualTo(0xFF0000);
            assertThat(r.images().get(0).mask().orElseThrow()[0]).isEqualTo(1f);
            assertThat(r.images().get(1).mask().orElseThrow()[5]).isEqualTo(0f);
            assertThat(r.options().steps()).isEqualTo(10);
        });
    }

    @Test
    void imagesHeldInMemoryNeedNoFiles() throws IOException {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0x00FF00);
        trainer.concept("tom").supercategory("cat").image(image).image(image, image).train();
        assertThat(seen.get(0).images()).hasSize(2);
        assertThat(seen.get(0).images().get(0).rgb()[3]).isEqualTo(0x00FF00);
        assertThat(seen.get(0).images().get(1).mask().orElseThrow()[3]).isCloseTo(1 / 3f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(seen.get(0).options()).as("a job without options gets the model's recommended ones")
                .isEqualTo(RECOMMENDED);
    }

    @Test
    void optionsRoundTripThroughTheirBuilder() {
        TrainingOptions changed = RECOMMENDED.toBuilder().seed(9).method(dev.perfusion.api.ConceptMethod.TRAINED_KEYS)
                .templates(List.of("a {}")).build();
        assertThat(changed.toBuilder().build()).isEqualTo(changed);
        assertThat(changed.steps()).isEqualTo(123);
        assertThat(changed.batchSize()).isEqualTo(2);
        assertThat(changed.seed()).isEqualTo(9);
    }

    @Test
    void unreadableInputsAreNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> trainer.concept("tom").supercategory("cat").images(dir.resolve("none")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("not a folder of images");
        Path broken = Files.writeString(dir.resolve("broken.png"), "not a png");
        assertThatThrownBy(() -> trainer.concept("tom").supercategory("cat").images(List.of(broken)).train())
                .isInstanceOf(FileFormatException.class).hasMessageContaining("broken.png");
        png(dir.resolve("a.png"), 0);
        assertThatThrownBy(() -> trainer.concept("tom").supercategory("cat").images(List.of(dir.resolve("a.png")))
                .masks(Files.createDirectories(dir.resolve("m"))).train())
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no mask for training image");
        assertThatThrownBy(() -> trainer.concept("tom").images(List.of(dir.resolve("a.png"))).train())
                .hasMessageContaining("needs a supercategory word");
        assertThat(seen).isEmpty();
    }

    @Test
    void cancellationAndInterruptionReachTheBackend(@TempDir Path dir) throws IOException {
        png(dir.resolve("a.png"), 0);
        assertThatThrownBy(() -> trainer.concept("tom").supercategory("cat").images(dir).cancelWhen(() -> true)
                .train()).isInstanceOf(CancellationException.class);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> trainer.concept("tom").supercategory("cat").images(dir).train())
                    .isInstanceOf(CancellationException.class).hasMessageContaining("interrupted");
        } finally {
            Thread.interrupted();
        }
    }
}
