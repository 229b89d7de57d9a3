package dev.perfusion.api;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One text-to-image request, checked; built by a {@link Generator}.
 *
 * @param prompt               the prompt, referring to concepts as {@code <name>}
 * @param negativePrompt       what to steer away from; empty for none
 * @param concepts             the concepts the prompts may refer to
 * @param fidelity             per-concept fidelity; concepts without one use their stored gates
 * @param jointForm            how several concepts in one prompt are combined
 * @param acceptOtherModels    whether concepts trained on another base model may be used
 * @param acceptBaselines      whether baseline concepts (textual inversion, trained keys) may be used
 * @param scheduler            the sampler
 * @param steps                sampling steps
 * @param guidance             classifier-free guidance scale; 1 disables guidance
 * @param eta                  DDIM's stochasticity: 0 (deterministic) to 1 (DDPM-like); other samplers take 0
 * @param width                image width in pixels; 0 for the model's default
 * @param height               image height in pixels; 0 for the model's default
 * @param seed                 the seed of the initial noise and of every random choice
 * @param batch                images to generate
 */
public record GenerationRequest(String prompt, String negativePrompt, List<Concept> concepts,
        List<FidelityControl> fidelity, MultiConceptMode jointForm, boolean acceptOtherModels, boolean acceptBaselines,
        Scheduler scheduler,
        int steps, double guidance, double eta, int width, int height, long seed, int batch) {

    /** Most images one request may ask for. */
    public static final int MAX_BATCH = 64;
    /** Largest image side one request may ask for, in pixels. */
    public static final int MAX_SIDE = 4096;

    public GenerationRequest {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        Objects.requireNonNull(negativePrompt, "negativePrompt");
        concepts = List.copyOf(concepts);
        fidelity = List.copyOf(fidelity);
        Objects.requireNonNull(jointForm, "jointForm");
        Objects.requireNonNull(scheduler, "scheduler");
        Set<String> names = new HashSet<>();
        for (Concept c : concepts) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("concept <" + c.name() + "> is given twice");
            }
        }
        if (steps <= 0 || steps > 1000) {
            throw new IllegalArgumentException("steps must be in 1..1000, got " + steps);
        }
        if (!(guidance >= 1) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException("guidance must be finite and >= 1, got " + guidance);
        }
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
        }
        if (eta > 0 && scheduler != Scheduler.DDIM) {
            throw new IllegalArgumentException("eta is DDIM's; " + scheduler + " takes no eta, got " + eta);
        }
        if (width < 0 || height < 0 || width > MAX_SIDE || height > MAX_SIDE || (width == 0) != (height == 0)) {
            throw new IllegalArgumentException("image size must be 0 x 0 (the model's default) or positive sides up "
                    + "to " + MAX_SIDE + ", got " + width + "x" + height);
        }
        if (batch <= 0 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be in 1.." + MAX_BATCH + ", got " + batch);
        }
    }
}
