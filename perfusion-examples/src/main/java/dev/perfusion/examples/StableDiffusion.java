package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.KeyLockTrainer;
import dev.perfusion.api.Scheduler;
import dev.perfusion.api.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The calls of {@link Quickstart} on a Stable Diffusion 1.x model the user has on disk: trains a concept from a folder
 * of photos, saves it, and generates it in a prompt at a few fidelity levels.
 */
@Command(name = "stable-diffusion", mixinStandardHelpOptions = true,
        description = "Train a concept on a local Stable Diffusion 1.x model and generate with it.")
public final class StableDiffusion implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A diffusers folder of an SD 1.x model (with "
            + "model_index.json), or, with --checkpoint, the folder holding its tokenizer and configs.")
    private Path model;

    @Option(names = "--checkpoint", description = "A single-file SD 1.x checkpoint (.safetensors) to load instead "
            + "of the folder's weights.")
    private Path checkpoint;

    @Option(names = "--photos", required = true, description = "A folder of 3 to 20 photos of the concept.")
    private Path photos;

    @Option(names = "--masks", description = "A folder of masks, one per photo with the same file name (optional).")
    private Path masks;

    @Option(names = "--concept", description = "The concept's name, used as <name> in prompts "
            + "(default: ${DEFAULT-VALUE}).")
    private String concept = "mine";

    @Option(names = "--supercategory", required = true, description = "The concept's everyday word, such as cat.")
    private String supercategory;

    @Option(names = "--prompt", description = "The prompt; {} stands for the concept (default: ${DEFAULT-VALUE}).")
    private String prompt = "a photo of {} on a beach";

    @Option(names = "--train-steps", description = "Training steps (default: ${DEFAULT-VALUE}, the paper's recipe).")
    private int trainSteps = TrainingOptions.defaults().steps();

    @Option(names = "--steps", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    private int steps = 25;

    @Option(names = "--size", description = "Image side in pixels; 0 for the model's own (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--seed", description = "Seed of training and sampling (default: ${DEFAULT-VALUE}).")
    private long seed = 1;

    @Option(names = "--out", description = "Folder for the concept file and images (default: ${DEFAULT-VALUE}).")
    private Path out = Path.of("stable-diffusion-out");

    public static void main(String[] args) {
        System.exit(new CommandLine(new StableDiffusion()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(model) || (checkpoint == null && !Files.isRegularFile(model.resolve("model_index.json")))) {
            System.err.printf("No Stable Diffusion 1.x diffusers folder at %s (a folder with model_index.json, "
                    + "tokenizer/, text_encoder/, unet/, vae/ and scheduler/).%n"
                    + "Copy one there from a machine that has it, for instance the files of "
                    + "stable-diffusion-v1-5/stable-diffusion-v1-5 in safetensors form, and pass its path with "
                    + "--model. This example never downloads anything.%n", model.toAbsolutePath());
            return 2;
        }
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            System.err.printf("No checkpoint file at %s.%n", checkpoint.toAbsolutePath());
            return 2;
        }
        if (!Files.isDirectory(photos)) {
            System.err.printf("No photo folder at %s.%n", photos.toAbsolutePath());
            return 2;
        }
        BaseModel base = checkpoint == null ? BaseModel.diffusers(model) : BaseModel.singleFile(checkpoint, model);
        Files.createDirectories(out);
        try (Perfusion perfusion = Perfusion.open(base)) {
            System.out.printf("%s on %s, fingerprint %s%n", base, perfusion.device(), perfusion.fingerprint());
            Concept trained = Progressbars.with("training <" + concept + ">", listener -> {
                KeyLockTrainer.Job job = perfusion.trainer().concept(concept).supercategory(supercategory)
                        .images(photos).options(TrainingOptions.builder().steps(trainSteps).seed(seed).build())
                        .listener(listener);
                return (masks == null ? job : job.masks(masks)).train();
            });
            Path file = out.resolve(concept + ".perfusion");
            Perfusion.saveConcept(trained, file);
            System.out.printf(Locale.ROOT, "saved %s: %,d bytes%n", file, Files.size(file));

            String text = prompt.replace("{}", "<" + concept + ">");
            for (double fidelity : new double[] {0.25, 0.5, 0.75}) {
                GeneratedImage image = Progressbars.with(String.format(Locale.ROOT, "fidelity %.2f", fidelity),
                        listener -> perfusion.generator().prompt(text).concepts(trained)
                                .fidelity(FidelityControl.of(trained, fidelity)).scheduler(Scheduler.DPM_SOLVER_PP_2M)
                                .steps(steps).size(size, size).seed(seed).listener(listener).generate().images()
                                .get(0));
                Path png = out.resolve(String.format(Locale.ROOT, "%s-fidelity-%.2f.png", concept, fidelity));
                ImageIO.write(image.toBufferedImage(), "png", png.toFile());
                System.out.printf("\"%s\" -> %s%n", text, png);
            }
        }
        return 0;
    }
}
