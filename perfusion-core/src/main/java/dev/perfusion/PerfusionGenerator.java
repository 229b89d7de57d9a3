package dev.perfusion;

import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.Generator;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** The {@link Generator} of a {@link Perfusion}: a mutable description handed to it when run. */
final class PerfusionGenerator implements Generator {

    private final Function<PerfusionGenerator, GenerationResult> runner;
    private String prompt;
    private String negativePrompt = "";
    private final List<Concept> concepts = new ArrayList<>();
    private final List<FidelityControl> fidelity = new ArrayList<>();
    private MultiConceptMode jointForm = MultiConceptMode.EXACT;
    private boolean acceptOtherModels;
    private boolean acceptBaselines;
    private Scheduler scheduler = Scheduler.DPM_SOLVER_PP_2M;
    private int steps = 25;
    private double guidance = 7.5;
    private double eta;
    private int width;
    private int height;
    private long seed;
    private int batch = 1;
    private ProgressListener listener = ProgressListener.NONE;

    PerfusionGenerator(Function<PerfusionGenerator, GenerationResult> runner) {
        this.runner = runner;
    }

    @Override
    public Generator prompt(String prompt) {
        this.prompt = prompt;
        return this;
    }

    @Override
    public Generator negativePrompt(String negativePrompt) {
        this.negativePrompt = Objects.requireNonNull(negativePrompt, "negativePrompt");
        return this;
    }

    @Override
    public Generator concepts(Concept... concepts) {
        this.concepts.addAll(Arrays.asList(concepts));
        return this;
    }

    @Override
    public Generator fidelity(FidelityControl... controls) {
        this.fidelity.addAll(Arrays.asList(controls));
        return this;
    }

    @Override
    public Generator jointForm(MultiConceptMode mode) {
        this.jointForm = Objects.requireNonNull(mode, "mode");
        return this;
    }

    @Override
    public Generator acceptConceptsOfOtherModels(boolean accept) {
        this.acceptOtherModels = accept;
        return this;
    }

    @Override
    public Generator acceptBaselineConcepts(boolean accept) {
        this.acceptBaselines = accept;
        return this;
    }

    @Override
    public Generator scheduler(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    @Override
    public Generator steps(int steps) {
        this.steps = steps;
        return this;
    }

    @Override
    public Generator guidance(double scale) {
        this.guidance = scale;
        return this;
    }

    @Override
    public Generator eta(double eta) {
        this.eta = eta;
        return this;
    }

    @Override
    public Generator size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    @Override
    public Generator seed(long seed) {
        this.seed = seed;
        return this;
    }

    @Override
    public Generator batch(int images) {
        this.batch = images;
        return this;
    }

    @Override
    public Generator listener(ProgressListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    ProgressListener progress() {
        return listener;
    }

    @Override
    public GenerationRequest request() {
        return new GenerationRequest(prompt, negativePrompt, concepts, fidelity, jointForm, acceptOtherModels,
                acceptBaselines, scheduler, steps, guidance, eta, width, height, seed, batch);
    }

    @Override
    public GenerationResult generate() {
        return runner.apply(this);
    }
}
