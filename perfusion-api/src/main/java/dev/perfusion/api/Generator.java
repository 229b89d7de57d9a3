package dev.perfusion.api;

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
 * A generator is a mutable description, like {@code HttpRequest.Builder}, obtained from {@code Perfusion}; each
 * setter states its default. {@link #request()} freezes it; {@link #generate()} runs it.
 */
public interface Generator {

    /** The prompt, referring to concepts as {@code <name>}; required. */
    Generator prompt(String prompt);

    /** What to steer away from; default none. */
    Generator negativePrompt(String negativePrompt);

    /** Adds concepts the prompts may refer to as {@code <name>}; default none. */
    Generator concepts(Concept... concepts);

    /** Adds fidelity controls, at most one per concept; a concept without one uses its stored gates. */
    Generator fidelity(FidelityControl... controls);

    /** How several concepts in one prompt are combined; default {@link MultiConceptMode#EXACT}. */
    Generator jointForm(MultiConceptMode mode);

    /**
     * Whether concepts trained on another base model may be used; default false, and such a concept is refused with
     * both models' fingerprints.
     */
    Generator acceptConceptsOfOtherModels(boolean accept);

    /**
     * Whether baseline concepts ({@link ConceptMethod#TEXTUAL_INVERSION}, {@link ConceptMethod#TRAINED_KEYS}),
     * trained for comparison, may be used; default false, and such a concept is refused with its method named.
     */
    Generator acceptBaselineConcepts(boolean accept);

    /** The sampler; default {@link Scheduler#DPM_SOLVER_PP_2M}. */
    Generator scheduler(Scheduler scheduler);

    /** Sampling steps; default 25. */
    Generator steps(int steps);

    /** Classifier-free guidance scale, 1 for none; default 7.5. */
    Generator guidance(double scale);

    /** DDIM's stochasticity, 0 to 1; default 0. Only {@link Scheduler#DDIM} takes it. */
    Generator eta(double eta);

    /** Image size in pixels, multiples of the model's VAE scale; default 0 x 0, the model's own size. */
    Generator size(int width, int height);

    /** Seed of the first image; image {@code i} of a batch uses {@code seed + i}; default 0. */
    Generator seed(long seed);

    /** Images to generate; default 1. */
    Generator batch(int images);

    /** Receives sampling progress; default none. */
    Generator listener(ProgressListener listener);

    /** The request as described so far, checked. */
    GenerationRequest request();

    /** Generates the images. */
    GenerationResult generate();
}
