package dev.perfusion.examples;

import dev.perfusion.Perfusion;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.eval.Pictures;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.Rendering;
import dev.perfusion.core.world.World;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The "user's photos" of a held-out concept of the embedded world: its views written as PNG files with their masks,
 * as a user's folder of photos would be, and concepts trained from them (or read back when already trained).
 */
final class HeldOutPhotos {

    private HeldOutPhotos() {
    }

    /** The photo and mask folders of one concept. */
    record Folders(Path photos, Path masks) {
    }

    /** Writes {@code count} views of {@code truth} under {@code folder}/photos and their masks under /masks. */
    static Folders write(HeldOutConcept truth, int count, long seed, Path folder) throws IOException {
        Path photos = Files.createDirectories(folder.resolve("photos"));
        Path masks = Files.createDirectories(folder.resolve("masks"));
        List<Rendering> views = truth.views(count, seed, World.SIZE);
        for (int i = 0; i < views.size(); i++) {
            String name = String.format(Locale.ROOT, "%s-%d.png", truth.name(), i + 1);
            write(views.get(i).rgb(), World.SIZE, photos.resolve(name));
            write(Pictures.grey(views.get(i).masks().get(0)), World.SIZE, masks.resolve(name));
        }
        return new Folders(photos, masks);
    }

    /** The examples' recipe: the open model's recommended training options with this method, steps and seed. */
    static TrainingOptions.Builder options(Perfusion perfusion, ConceptMethod method, int steps, long seed) {
        return perfusion.recommendedTrainingOptions().toBuilder().steps(steps).seed(seed).method(method);
    }

    /**
     * The concept of {@code truth} trained with {@code options}, read from {@code folder/<name>[-method].perfusion}
     * when an earlier run left one there for the same base model, edit scope and key lock form (whatever its other
     * options), else trained and saved there.
     */
    static Concept trainOrLoad(Perfusion perfusion, HeldOutConcept truth, TrainingOptions options, Path folder)
            throws Exception {
        ConceptMethod method = options.method();
        String suffix = method == ConceptMethod.PERFUSION ? "" : "-" + method.id();
        Path file = folder.resolve(truth.name() + suffix + ConceptFile.SUFFIX);
        if (Files.isRegularFile(file)) {
            Concept concept = Perfusion.loadConcept(file, method);
            if (concept.baseModel().equals(perfusion.fingerprint()) && concept.editScope() == options.editScope()
                    && concept.keyLockForm() == options.keyLockForm()) {
                System.out.printf("read <%s> (%s) from %s%n", concept.name(), method.id(), file);
                return concept;
            }
        }
        Folders folders = write(truth, 6, options.seed(), folder.resolve(truth.name()));
        Concept trained = Progressbars.with("training <" + truth.name() + "> (" + method.id() + ")",
                listener -> perfusion.trainer().concept(truth.name()).supercategory(truth.supercategory())
                        .images(folders.photos()).masks(folders.masks())
                        .options(options)
                        .listener(listener).train());
        Perfusion.saveConcept(trained, file);
        return trained;
    }

    static void write(int[] rgb, int side, Path file) throws IOException {
        ImageIO.write(Pictures.image(rgb, side), "png", file.toFile());
    }

    /** An image {@code factor} times larger, for people to look at. */
    static BufferedImage upscale(BufferedImage image, int factor) {
        BufferedImage big = new BufferedImage(image.getWidth() * factor, image.getHeight() * factor,
                BufferedImage.TYPE_INT_RGB);
        var g = big.createGraphics();
        g.drawImage(image, 0, 0, big.getWidth(), big.getHeight(), null);
        g.dispose();
        return big;
    }

}
