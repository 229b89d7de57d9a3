package dev.perfusion;

import dev.perfusion.api.Concept;
import dev.perfusion.api.KeyLockTrainer;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.TrainingImage;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.api.spi.TrainingService;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;

/** The {@link KeyLockTrainer} of a {@link Perfusion}: reads the photos and hands the request to the backend. */
final class PerfusionTrainer implements KeyLockTrainer {

    private static final Set<String> IMAGE_SUFFIXES = Set.of("png", "jpg", "jpeg", "bmp");

    private final TrainingService service;
    private final TrainingOptions recommended;

    PerfusionTrainer(TrainingService service, TrainingOptions recommended) {
        this.service = service;
        this.recommended = recommended;
    }

    @Override
    public Job concept(String name) {
        return new TrainingJob(Concept.requireValidName(name));
    }

    private final class TrainingJob implements Job {
        private final String name;
        private String supercategory;
        private final List<Object> images = new ArrayList<>();
        private Path masks;
        private TrainingOptions options = recommended;
        private ProgressListener listener = ProgressListener.NONE;
        private BooleanSupplier cancelled = () -> false;

        private TrainingJob(String name) {
            this.name = name;
        }

        @Override
        public Job supercategory(String word) {
            this.supercategory = word;
            return this;
        }

        @Override
        public Job images(Path folder) throws IOException {
            if (!Files.isDirectory(folder)) {
                throw new NoSuchFileException(folder.toString(), null, "not a folder of images");
            }
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, PerfusionTrainer::isImage)) {
                files.forEach(found::add);
            }
            if (found.isEmpty()) {
                throw new NoSuchFileException(folder.toString(), null, "no .png, .jpg, .jpeg or .bmp file in it");
            }
            found.sort(null);
            images.addAll(found);
            return this;
        }

        @Override
        public Job images(List<Path> files) {
            files.forEach(f -> images.add(Objects.requireNonNull(f, "file")));
            return this;
        }

        @Override
        public Job image(BufferedImage image) {
            images.add(TrainingImage.of("image " + (images.size() + 1), image));
            return this;
        }

        @Override
        public Job image(BufferedImage image, BufferedImage mask) {
            images.add(TrainingImage.of("image " + (images.size() + 1), image, mask));
            return this;
        }

        @Override
        public Job masks(Path folder) {
            this.masks = folder;
            return this;
        }

        @Override
        public Job options(TrainingOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        @Override
        public Job listener(ProgressListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        @Override
        public Job cancelWhen(BooleanSupplier cancelled) {
            this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
            return this;
        }

        @Override
        public TrainingRequest request() throws IOException {
            List<TrainingImage> read = new ArrayList<>();
            for (Object image : images) {
                read.add(image instanceof Path file ? read(file) : (TrainingImage) image);
            }
            return new TrainingRequest(name, supercategory, read, options);
        }

        private TrainingImage read(Path file) throws IOException {
            BufferedImage image = decode(file);
            if (masks == null) {
                return TrainingImage.of(file.toString(), image);
            }
            Path mask = masks.resolve(file.getFileName().toString());
            if (!Files.isRegularFile(mask)) {
                throw new NoSuchFileException(mask.toString(), null, "no mask for training image " + file);
            }
            try {
                return TrainingImage.of(file.toString(), image, decode(mask));
            } catch (IllegalArgumentException e) {
                throw new dev.perfusion.core.io.FileFormatException(mask, e.getMessage(), e);
            }
        }

        @Override
        public Concept train() throws IOException {
            TrainingRequest request = request();
            return service.train(request, listener, () -> {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("training of <" + name + "> was interrupted");
                }
                return cancelled.getAsBoolean();
            });
        }
    }

    private static BufferedImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "training image not found");
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new dev.perfusion.core.io.FileFormatException(file, "is not an image this JDK can read (PNG, JPEG, "
                    + "BMP)");
        }
        return image;
    }

    private static boolean isImage(Path p) {
        String file = p.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 && Files.isRegularFile(p)
                && IMAGE_SUFFIXES.contains(file.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
