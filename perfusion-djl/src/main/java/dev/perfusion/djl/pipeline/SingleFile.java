package dev.perfusion.djl.pipeline;

import dev.perfusion.core.io.FileFormatException;
import java.nio.file.Path;
import java.util.Locale;

/** Checks on single-file checkpoints before anything is read. */
public final class SingleFile {

    private SingleFile() {
    }

    /** Refuses pickle checkpoints ({@code .ckpt}, {@code .bin}, {@code .pt}, {@code .pth}) with how to convert them. */
    public static void refusePickle(Path file) throws FileFormatException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ckpt") || name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) {
            throw new FileFormatException(file, "is a pickle checkpoint, which can run code when loaded; convert it "
                    + "to .safetensors first (for instance with the safetensors 'convert' tool or diffusers' "
                    + "conversion scripts) and load that");
        }
    }
}
