package dev.perfusion.api;

/**
 * A failure of the SDK that the caller cannot fix by retrying: a missing backend, a model that does not fit a
 * concept, a request that cannot be served. The message says what was expected and what was found.
 */
public class PerfusionException extends RuntimeException {

    public PerfusionException(String message) {
        super(message);
    }

    public PerfusionException(String message, Throwable cause) {
        super(message, cause);
    }
}
