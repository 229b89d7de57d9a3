package dev.perfusion.core.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that exists but does not hold what it should; the message names the file and the problem. */
public class FileFormatException extends IOException {

    private final transient Path file;

    public FileFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public FileFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
