package dev.perfusion.djl.train;

import dev.perfusion.core.io.Folders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A training run's checkpoints: the newest complete one is always in {@code current/}. A new one is written into
 * {@code next/}, then swapped in by renames, so a run killed at any moment leaves a complete checkpoint to resume
 * from ({@code current/}, or {@code previous/} if it died between the two renames).
 */
public final class CheckpointFolder {

    /** Writes one checkpoint's files into a folder. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(Path folder) throws IOException;
    }

    private final Path root;

    public CheckpointFolder(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The folder of the newest complete checkpoint, if there is one. */
    public Optional<Path> latest() {
        for (String name : new String[] {"current", "previous"}) {
            Path folder = root.resolve(name);
            if (Files.isRegularFile(folder.resolve("state.json"))) {
                return Optional.of(folder);
            }
        }
        return Optional.empty();
    }

    /** Writes a checkpoint and makes it the newest. {@code state.json} must be among what the writer writes. */
    public void save(Writer writer) throws IOException {
        Files.createDirectories(root);
        Path next = root.resolve("next");
        Path current = root.resolve("current");
        Path previous = root.resolve("previous");
        Folders.deleteTree(next);
        Files.createDirectories(next);
        writer.writeTo(next);
        if (!Files.isRegularFile(next.resolve("state.json"))) {
            throw new IllegalStateException("a checkpoint must write state.json");
        }
        Folders.deleteTree(previous);
        if (Files.exists(current)) {
            Files.move(current, previous, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(next, current, StandardCopyOption.ATOMIC_MOVE);
        Folders.deleteTree(previous);
    }

}
