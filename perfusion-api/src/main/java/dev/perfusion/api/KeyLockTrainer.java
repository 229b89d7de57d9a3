package dev.perfusion.api;

import dev.perfusion.api.spi.TrainingService;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Trains concepts: a handful of photos and a supercategory word in, a {@link Concept} out.
 *
 * <pre>{@code
 * Concept tom = perfusion.trainer().concept("tom").supercategory("cat").images(dir).train();
 * }</pre>
 */
public final class KeyLockTrainer {

    private static final Set<String> IMAGE_SUFFIXES = Set.of("png", "jpg", "jpeg", "bmp");

    private final TrainingService service;

    /** For backends: a trainer that hands its requests to {@code service}. */
    public KeyLockTrainer(TrainingService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /** Starts describing the concept of the given name. */
    public Job concept(String name) {
        return new Job(Concept.requireValidName(name));
    }

    /** One concept to train; a mutable description, run by {@link #train()}. */
    public final class Job {
        private final String name;
        private String supercategory;
        private final List<Path> images = new ArrayList<>();
        private Path masks;
        private TrainingOptions options = TrainingOptions.defaults();
        private ProgressListener listener = ProgressListener.NONE;

        private Job(String name) {
            this.name = name;
        }

        /** The everyday word for the concept's kind, such as "cat". */
        public Job supercategory(String word) {
            this.supercategory = word;
            return this;
        }

        /** Adds every PNG, JPEG and BMP file of a folder, in name order. */
        public Job images(Path folder) throws IOException {
            if (!Files.isDirectory(folder)) {
                throw new NoSuchFileException(folder.toString(), null, "not a folder of images");
            }
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, KeyLockTrainer::isImage)) {
                files.forEach(found::add);
            }
            if (found.isEmpty()) {
                throw new NoSuchFileException(folder.toString(), null, "no .png, .jpg, .jpeg or .bmp file in it");
            }
            found.sort(null);
            images.addAll(found);
            return this;
        }

        /** Adds the given image files. */
        public Job images(List<Path> files) {
            images.addAll(files);
            return this;
        }

        /** A folder of masks (white where the concept is), one per image with the same file name. */
        public Job masks(Path folder) {
            this.masks = folder;
            return this;
        }

        public Job options(TrainingOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public Job listener(ProgressListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The request this job describes, checked. */
        public TrainingRequest request() {
            return new TrainingRequest(name, supercategory, images, Optional.ofNullable(masks), options);
        }

        /** Trains the concept; reading the images may fail. */
        public Concept train() throws IOException {
            return service.train(request(), listener);
        }
    }

    private static boolean isImage(Path p) {
        String file = p.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 && Files.isRegularFile(p)
                && IMAGE_SUFFIXES.contains(file.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
