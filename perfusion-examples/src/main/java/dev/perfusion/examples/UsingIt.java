package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.core.world.HeldOutConcepts;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The README's "Using it" code, compiled and runnable: the text between the README markers below is the README's
 * code block, word for word ({@code ReadmeCodeTest} checks it).
 */
public final class UsingIt {

    private UsingIt() {
    }

    public static void main(String[] args) throws IOException {
        if (!Files.isDirectory(Path.of("nemo/photos"))) {
            // The README's photos: six views of the embedded world's held-out fish, written as a user's folder.
            HeldOutPhotos.write(HeldOutConcepts.named("nemo").orElseThrow(), 6, 1, Path.of("nemo"));
        }
        usingIt();
    }

    static void usingIt() throws IOException {
        // README:start
        try (Perfusion perfusion = Perfusion.open(BaseModel.embedded())) {
            Concept nemo = perfusion.trainer().concept("nemo").supercategory("fish")
                    .images(Path.of("nemo/photos"))
                    .listener(progress -> System.out.println(progress))
                    .train();
            Perfusion.saveConcept(nemo, Path.of("nemo.perfusion"));

            Concept reloaded = Perfusion.loadConcept(Path.of("nemo.perfusion"));
            GenerationResult result = perfusion.generator()
                    .prompt("a <nemo> above a red star on the beach")
                    .concepts(reloaded)
                    .fidelity(FidelityControl.of(reloaded, 0.7))
                    .seed(1)
                    .generate();
            ImageIO.write(result.images().get(0).toBufferedImage(), "png", new File("nemo-on-the-beach.png"));
        }
        // README:end
    }
}
