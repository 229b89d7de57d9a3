package dev.perfusion.core.prompt;

import dev.perfusion.api.PerfusionException;

/** A prompt refers to a concept that was not given with it. */
public class UnknownConceptException extends PerfusionException {

    private final String concept;

    public UnknownConceptException(String concept, String message) {
        super(message);
        this.concept = concept;
    }

    /** The name that was not found. */
    public String concept() {
        return concept;
    }
}
