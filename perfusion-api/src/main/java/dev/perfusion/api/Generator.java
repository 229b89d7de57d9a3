package dev.perfusion.api;

import dev.perfusion.api.spi.GenerationService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Describes and runs one text-to-image generation with any number of concepts:
 *
 * <pre>{@code
 * GenerationResult r = perfusion.generator()
 *         .prompt("<tom> sleeping on <armchair>")
 *         .concepts(tom, armchair)
 *         .fidelity(FidelityControl.of(tom, 0.7))
 *         .seed(1)
 *         .generate();
 * }</pre>
 *
 * A generator is a mutable description, like {@code HttpRequest.Builder}; {@link #request()} freezes it.
 */
public final class Generator {

    private final GenerationService service;
    private String prompt;
    private String negativePrompt = "";
    private final List<Concept> concepts = new ArrayList<>();
    private final List<FidelityControl> fidelity = new ArrayList<>();
    private Scheduler scheduler = Scheduler.DPM_SOLVER_PP_2M;
    private int steps = 25;
    private double guidance = 7.5;
    private int width;
    private int height;
    private long seed;
    private int batch = 1;
    private ProgressListener listener = ProgressListener.NONE;

    /** For backends: a generator that hands its requests to {@code service}. */
    public Generator(GenerationService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    public Generator prompt(String prompt) {
        this.prompt = prompt;
        return this;
    }

    public Generator negativePrompt(String negativePrompt) {
        this.negativePrompt = Objects.requireNonNull(negativePrompt, "negativePrompt");
        return this;
    }

    /** Adds concepts the prompt may refer to as {@code <name>}. */
    public Generator concepts(Concept... concepts) {
        this.concepts.addAll(Arrays.asList(concepts));
        return this;
    }

    /** Adds fidelity controls, at most one per concept. */
    public Generator fidelity(FidelityControl... controls) {
        this.fidelity.addAll(Arrays.asList(controls));
        return this;
    }

    public Generator scheduler(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    public Generator steps(int steps) {
        this.steps = steps;
        return this;
    }

    public Generator guidance(double scale) {
        this.guidance = scale;
        return this;
    }

    public Generator size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    public Generator seed(long seed) {
        this.seed = seed;
        return this;
    }

    public Generator batch(int images) {
        this.batch = images;
        return this;
    }

    public Generator listener(ProgressListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** The request as described so far, checked. */
    public GenerationRequest request() {
        return new GenerationRequest(prompt, negativePrompt, concepts, fidelity, scheduler, steps, guidance, width,
                height, seed, batch);
    }

    /** Generates the images. */
    public GenerationResult generate() {
        return service.generate(request(), listener);
    }
}
