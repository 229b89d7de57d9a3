package dev.perfusion.api.spi;

/** What a backend can do, declared by its provider so that discovery can skip providers that cannot serve a call. */
public enum Capability {
    /** Text-to-image generation. */
    GENERATION,
    /** Generation with concepts in the prompt. */
    CONCEPTS,
    /** Concept training. */
    TRAINING,
    /** Opening the embedded base model. */
    EMBEDDED_MODEL,
    /** Running on an NVIDIA GPU. */
    CUDA
}
