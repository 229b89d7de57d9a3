package dev.perfusion.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.spi.GenerationJob;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.djl.edit.ConceptEdits;
import dev.perfusion.djl.edit.TokenScope;
import dev.perfusion.djl.pipeline.StableDiffusion;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.unet.TextConditioning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Text-to-image on a loaded {@link StableDiffusion}, with any number of concepts: each concept token takes the
 * concept's embedding, and every cross-attention layer gets the concepts' joint gated edit for this call alone. Image
 * {@code i} of a batch uses seed {@code seed + i} for its initial noise and its sampler noise, so it can be reproduced
 * alone. Calls share nothing mutable and may run concurrently.
 */
final class DjlGeneration implements GenerationService {

    private final StableDiffusion model;
    private final NDManager manager;
    private final Supplier<NDArray> inverseCovariance;

    /**
     * @param inverseCovariance the model's {@code C^{-1}} on its device, computed on first use
     */
    DjlGeneration(StableDiffusion model, NDManager manager, Supplier<NDArray> inverseCovariance) {
        this.model = model;
        this.manager = manager;
        this.inverseCovariance = inverseCovariance;
    }

    @Override
    public GenerationResult generate(GenerationJob job, ProgressListener listener) {
        GenerationRequest request = job.request();
        long start = System.nanoTime();
        int width = request.width() == 0 ? model.defaultImageSize() : request.width();
        int height = request.height() == 0 ? model.defaultImageSize() : request.height();
        if (width % model.vaeScale() != 0 || height % model.vaeScale() != 0) {
            throw new PerfusionException("image size " + width + "x" + height + " must be a multiple of "
                    + model.vaeScale() + " for this model");
        }
        int batch = request.batch();
        try (NDManager m = manager.newSubManager()) {
            List<String> supercategories = new ArrayList<>();
            List<NDArray> embeddings = new ArrayList<>();
            int hidden = model.textEncoder().config().hiddenSize();
            for (GenerationJob.ConceptGates c : job.concepts()) {
                Concept concept = c.concept();
                if (concept.tokenEmbedding().length != hidden) {
                    throw new PerfusionException("concept <" + concept.name() + "> has a token embedding of "
                            + concept.tokenEmbedding().length + " values; this model's text encoder takes " + hidden);
                }
                supercategories.add(concept.supercategory());
                embeddings.add(m.create(concept.tokenEmbedding()));
            }
            StableDiffusion.Encoded prompt = model.encode(m, List.of(job.prompt()), embeddings, supercategories);
            StableDiffusion.Encoded negative = request.guidance() > 1
                    ? model.encode(m, List.of(job.negative()), embeddings, supercategories) : null;
            NDArray conditional = prompt.hidden().repeat(0, batch);
            NDArray unconditional = negative == null ? null : negative.hidden().repeat(0, batch);
            List<Integer> editing = referenced(job);
            Map<String, TextConditioning.LayerEdit> edits = editing.isEmpty() ? Map.of()
                    : edits(job, editing, prompt, negative, (int) conditional.getShape().get(1), m);
            Shape latent = new Shape(1, model.unet().config().inChannels(), height / model.vaeScale(),
                    width / model.vaeScale());
            List<NoiseSource> perImage = new ArrayList<>();
            NDList initial = new NDList();
            for (int i = 0; i < batch; i++) {
                NoiseSource source = NoiseSource.seeded(request.seed() + i);
                initial.add(source.next(m, latent));
                perImage.add(source);
            }
            NoiseSource samplerNoise = (mm, shape) -> {
                Shape one = new Shape(1).addAll(shape.slice(1));
                NDList rows = new NDList();
                perImage.forEach(s -> rows.add(s.next(mm, one)));
                return NDArrays.concat(rows, 0);
            };
            int[] ends = new int[(negative == null ? 1 : 2) * batch];
            java.util.Arrays.fill(ends, prompt.ends()[0]);
            if (negative != null) {
                java.util.Arrays.fill(ends, 0, batch, negative.ends()[0]);
            }
            NDArray latents = model.sample(NDArrays.concat(initial, 0), conditional, unconditional, edits,
                    request.scheduler(), request.steps(), request.guidance(), request.eta(), samplerNoise, listener,
                    ends);
            List<int[]> pixels = StableDiffusion.toRgb(model.decode(latents));
            List<GeneratedImage> images = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                images.add(new GeneratedImage(width, height, pixels.get(i), request.seed() + i));
            }
            return new GenerationResult(request, images, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * The joint edit of the job's concepts at {@code editing}; concepts confined to their own token act at its
     * position in each row of the context, in the order the sampler stacks them (negative prompt first).
     */
    private Map<String, TextConditioning.LayerEdit> edits(GenerationJob job, List<Integer> editing,
            StableDiffusion.Encoded prompt, StableDiffusion.Encoded negative, int tokens, NDManager m) {
        int batch = job.request().batch();
        List<int[]> rows = new ArrayList<>();
        if (negative != null) {
            rows.addAll(Collections.nCopies(batch, positions(negative, editing)));
        }
        rows.addAll(Collections.nCopies(batch, positions(prompt, editing)));
        List<GenerationJob.ConceptGates> concepts = editing.stream().map(job.concepts()::get).toList();
        Optional<TokenScope> scope = TokenScope.of(m,
                concepts.stream().map(c -> c.concept().editScope()).toList(), rows, tokens);
        return ConceptEdits.build(model.unet().crossAttentionLayers(), inverseCovariance.get(), concepts,
                job.request().jointForm(), scope, m);
    }

    private static int[] positions(StableDiffusion.Encoded encoded, List<Integer> concepts) {
        int[] at = new int[concepts.size()];
        for (int c = 0; c < at.length; c++) {
            at[c] = encoded.positions()[0][concepts.get(c)];
        }
        return at;
    }

    /** The indices of the concepts whose token appears in either prompt and that edit layers (not textual inversions). */
    private static List<Integer> referenced(GenerationJob job) {
        boolean[] used = new boolean[job.concepts().size()];
        for (List<GenerationJob.PromptPart> prompt : List.of(job.prompt(), job.negative())) {
            for (GenerationJob.PromptPart part : prompt) {
                if (part instanceof GenerationJob.PromptPart.ConceptToken t) {
                    used[t.concept()] = true;
                }
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < used.length; c++) {
            if (used[c] && job.concepts().get(c).concept().method() != ConceptMethod.TEXTUAL_INVERSION) {
                out.add(c);
            }
        }
        return out;
    }
}
