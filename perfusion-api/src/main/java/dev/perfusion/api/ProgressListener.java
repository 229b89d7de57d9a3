package dev.perfusion.api;

/**
 * Receives progress of training and sampling, on the thread doing the work; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores every report. */
    ProgressListener NONE = p -> { };

    void onProgress(Progress progress);
}
