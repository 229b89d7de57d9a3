package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.Judge;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.eval.ConceptEvaluation;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.World;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The SDK end to end on the embedded model, offline: writes a held-out concept's photos and masks to a folder,
 * trains a Perfusion concept from them, saves and reloads it, generates it in scenes it was never shown, and measures
 * the result with the model's judge and the world's oracles.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Train a concept on the embedded model and generate it in new scenes.")
public final class Quickstart implements Callable<Integer> {

    @Option(names = "--concept", description = "A held-out concept of the world: ${COMPLETION-CANDIDATES} "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "cottage", paramLabel = "<name>",
            completionCandidates = HeldOutConceptOption.Names.class, converter = HeldOutConceptOption.Converter.class)
    private HeldOutConcept truth;

    @Option(names = "--out", description = "Folder for photos, the concept file and images (default: ${DEFAULT-VALUE}).")
    private Path out = Path.of("quickstart");

    @Option(names = "--photos", description = "How many photos to train from, 3 to 8 (default: ${DEFAULT-VALUE}).")
    private int photos = 6;

    @Option(names = "--steps", description = "Training steps (default: ${DEFAULT-VALUE}).")
    private int steps = EmbeddedRecipes.STEPS;

    @Option(names = "--fidelity", description = "Fidelity of the concept in the new scenes, 0 to 1 "
            + "(default: ${DEFAULT-VALUE}).")
    private double fidelity = 0.5;

    @Option(names = "--prompts", description = "Held-out prompts to measure on (default: ${DEFAULT-VALUE}).")
    private int prompts = 20;

    @Option(names = "--seed", description = "Seed of training and sampling (default: ${DEFAULT-VALUE}).")
    private long seed = 1;

    @Mixin
    private EditFormOptions editForm = new EditFormOptions();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Quickstart()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String concept = truth.name();
        HeldOutPhotos.Folders folders = HeldOutPhotos.write(truth, photos, seed, out);
        System.out.printf("%d photos of <%s> (%s) in %s, masks in %s%n", photos, concept, truth.description(),
                folders.photos(), folders.masks());

        try (Perfusion perfusion = Perfusion.open(BaseModel.embedded())) {
            System.out.printf("embedded model on %s, fingerprint %s%n", perfusion.device(), perfusion.fingerprint());
            long start = System.nanoTime();
            Concept trained = Progressbars.with("training <" + concept + ">", listener -> perfusion.trainer()
                    .concept(concept).supercategory(truth.supercategory())
                    .images(folders.photos()).masks(folders.masks())
                    .options(editForm.applyTo(perfusion.recommendedTrainingOptions().toBuilder()).steps(steps)
                            .seed(seed).build())
                    .listener(listener).train());
            double minutes = (System.nanoTime() - start) / 6e10;
            Path file = out.resolve(concept + ConceptFile.SUFFIX);
            Perfusion.saveConcept(trained, file);
            Concept reloaded = editForm.forGeneration(Perfusion.loadConcept(file));
            System.out.printf(Locale.ROOT, "trained <%s> in %.1f min; saved %s: %,d bytes (an SD 1.5 concept: %,d "
                    + "bytes)%n", concept, minutes, file, Files.size(file), EmbeddedRecipes.sd15ConceptBytes());

            List<String> scenes = List.of("a <%s> on grass", "a <%s> above a red star at night",
                    "a <%s> to the left of a yellow heart in the sky", "a <%s> on the beach");
            for (int i = 0; i < scenes.size(); i++) {
                String prompt = String.format(Locale.ROOT, scenes.get(i), concept);
                GeneratedImage image = perfusion.generator().prompt(prompt).concepts(reloaded)
                        .fidelity(FidelityControl.of(reloaded, fidelity)).seed(seed + i).generate().images().get(0);
                Path png = out.resolve(String.format(Locale.ROOT, "scene-%d.png", i + 1));
                ImageIO.write(HeldOutPhotos.upscale(image.toBufferedImage(), 4), "png", png.toFile());
                System.out.printf("\"%s\" -> %s%n", prompt, png);
            }

            Judge judge = perfusion.judge().orElseThrow();
            List<ConceptEvaluation.HeldOutPrompt> held = ConceptEvaluation.prompts(truth,
                    new World(EmbeddedRecipes.WORLD_SEED), prompts);
            ConceptEvaluation.Result result = Progressbars.with("measuring", listener -> ConceptEvaluation.run(
                    perfusion, judge, truth, reloaded, held, 1000, Optional.of(fidelity), listener));
            System.out.printf("on %d held-out prompts at fidelity %.2f:%n%s%n", held.size(), fidelity,
                    result.summary());
        }
        return 0;
    }
}
