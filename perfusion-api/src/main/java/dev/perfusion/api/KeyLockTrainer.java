package dev.perfusion.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Trains concepts: a handful of photos and a supercategory word in, a {@link Concept} out.
 *
 * <pre>{@code
 * Concept tom = perfusion.trainer().concept("tom").supercategory("cat").images(dir).train();
 * }</pre>
 */
public interface KeyLockTrainer {

    /** Starts describing the concept of the given name. */
    Job concept(String name);

    /** One concept to train: a mutable description, run by {@link #train()}. */
    interface Job {

        /** The everyday word for the concept's kind, such as "cat"; required. */
        Job supercategory(String word);

        /** Adds every PNG, JPEG and BMP file of a folder, in name order. */
        Job images(Path folder) throws IOException;

        /** Adds the given image files. */
        Job images(List<Path> files);

        /** Adds an image held in memory. */
        Job image(BufferedImage image);

        /** Adds an image held in memory with its mask (white where the concept is). */
        Job image(BufferedImage image, BufferedImage mask);

        /** A folder of masks for the image files, one per image with the same file name; default none. */
        Job masks(Path folder);

        /** How to train; default {@link TrainingOptions#defaults()}. */
        Job options(TrainingOptions options);

        /** Receives progress (step, loss, time left); default none. */
        Job listener(ProgressListener listener);

        /**
         * Polled between steps; when it answers true the run stops and {@link #train()} throws
         * {@link java.util.concurrent.CancellationException}. Interrupting the training thread does the same.
         */
        Job cancelWhen(BooleanSupplier cancelled);

        /**
         * The request this job describes, with every image file read.
         *
         * @throws IOException when an image or mask cannot be read
         */
        TrainingRequest request() throws IOException;

        /**
         * Trains the concept. Nothing is written to disk; save the result with {@code Perfusion.saveConcept}, which
         * writes atomically.
         *
         * @throws IOException when an image or mask cannot be read
         */
        Concept train() throws IOException;
    }
}
