package dev.perfusion.djl.concept;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.Gate;
import dev.perfusion.api.KeyLockForm;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.api.spi.GenerationJob.PromptPart;
import dev.perfusion.core.edit.EmaVector;
import dev.perfusion.core.schedule.NoiseSchedule;
import dev.perfusion.djl.edit.GatedProjection;
import dev.perfusion.djl.edit.TokenScope;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.pipeline.StableDiffusion;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.train.AdamW;
import dev.perfusion.djl.train.Parameters;
import dev.perfusion.djl.unet.CrossAttentionLayer;
import dev.perfusion.djl.unet.TextConditioning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Trains a concept on a loaded model: Perfusion's key-locked rank-one edit (or one of the baselines).
 *
 * <p>Trainable: the concept token's input embedding (initialised from the supercategory word's) and one value target
 * {@code o*_v} per cross-attention layer (initialised to {@code W_v i_s}); with {@link ConceptMethod#TRAINED_KEYS} the
 * key targets too, and with {@link ConceptMethod#TEXTUAL_INVERSION} only the embedding. Keys are otherwise locked to
 * {@code W_k i_s}. {@code i*} and {@code i_s} are running averages (decay {@link TrainingOptions#emaDecay()}, first
 * batch's mean to start) of the text encoder's output at the concept token and at the supercategory word in the same
 * prompts. Each pass draws photos (mirrored with the flip probability, and shrunk with {@link
 * TrainingOptions#smallestScale()} below 1), templates, timesteps and noise from the seed;
 * the loss is the diffusion noise-prediction error weighted by each photo's mask, plus the attention loss (the concept
 * token's cross-attention weights against the supercategory key's, under the same queries). Every model weight is
 * frozen and left untouched.
 *
 * <p>DJL records gradients for one thread of the process at a time, so trainings in one JVM run one after another.
 */
public final class ConceptTraining {

    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

    /**
     * The model a concept is trained on.
     *
     * @param model             the loaded model
     * @param inverseCovariance its {@code C^{-1}} on its device
     * @param templates         prompt templates used when the request gives none
     */
    public record Setup(StableDiffusion model, NDArray inverseCovariance, List<String> templates) {
    }

    private ConceptTraining() {
    }

    /** Trains the concept; nothing is written anywhere. */
    public static Concept train(Setup setup, TrainingRequest request, ProgressListener listener,
            BooleanSupplier cancelled) {
        ONE_AT_A_TIME.lock();
        try {
            return new Run(setup, request).train(listener, cancelled);
        } finally {
            ONE_AT_A_TIME.unlock();
        }
    }

    /**
     * The diffusion loss of a concept on photos, measured on a fixed draw: every photo (unmirrored) at each of
     * {@code timesteps}, with noise from {@code seed}, through the concept's stored embedding, {@code i*}, {@code i_s}
     * and targets, at the training gate; no attention loss. A deterministic yardstick of how well a concept fits its
     * photos.
     */
    public static double diffusionLoss(Setup setup, Concept concept, TrainingRequest photos, int[] timesteps,
            long seed) {
        Run run = new Run(setup, photos);
        return run.measure(concept, timesteps, seed);
    }

    /** The parts of a prompt template whose {@code {}} holds concept 0's token. */
    public static List<PromptPart> promptParts(String template) {
        int at = template.indexOf("{}");
        List<PromptPart> parts = new ArrayList<>();
        if (at > 0) {
            parts.add(new PromptPart.Text(template.substring(0, at)));
        }
        parts.add(new PromptPart.ConceptToken(0));
        if (at + 2 < template.length()) {
            parts.add(new PromptPart.Text(template.substring(at + 2)));
        }
        return parts;
    }

    /** One training run's state. */
    private static final class Run {
        private final StableDiffusion model;
        private final NDArray inverse;
        private final TrainingRequest request;
        private final TrainingOptions options;
        private final List<String> templates;
        private final List<CrossAttentionLayer> layers;
        private final NoiseSchedule schedule;
        private final EmaVector iStar;
        private final EmaVector iSuper;

        Run(Setup setup, TrainingRequest request) {
            this.model = setup.model();
            this.inverse = setup.inverseCovariance();
            this.request = request;
            this.options = request.options();
            this.templates = options.templates().isEmpty() ? setup.templates() : options.templates();
            this.layers = model.unet().crossAttentionLayers();
            this.schedule = model.schedule();
            int width = model.textEncoder().config().hiddenSize();
            this.iStar = new EmaVector(width, options.emaDecay());
            this.iSuper = new EmaVector(width, options.emaDecay());
        }

        Concept train(ProgressListener listener, BooleanSupplier cancelled) {
            int side = options.resolution() == 0 ? model.defaultImageSize() : options.resolution();
            if (side % model.vaeScale() != 0) {
                throw new PerfusionException("training resolution " + side + " must be a multiple of "
                        + model.vaeScale() + " for this model");
            }
            ConceptMethod method = options.method();
            Engine engine = inverse.getManager().getEngine();
            SplittableRandom random = new SplittableRandom(options.seed());
            long start = System.nanoTime();
            try (NDManager m = inverse.getManager().newSubManager()) {
                TrainingViews views = TrainingViews.encode(request.images(), side, model.vaeScale(),
                        options.flipProbability() > 0, options.smallestScale(), options.seed(), model.vae(), m);
                NDArray embedding = initialEmbedding(m);
                Map<String, NDArray> parameters = new LinkedHashMap<>();
                parameters.put("token_embedding", embedding);
                Map<String, NDArray> valueTargets = new LinkedHashMap<>();
                Map<String, NDArray> keyTargets = new LinkedHashMap<>();
                boolean first = true;
                AdamW embeddingOptimiser = null;
                AdamW targetOptimiser = null;
                double lastLoss = Double.NaN;
                for (int step = 0; step < options.steps(); step++) {
                    double stepLoss = 0;
                    for (int pass = 0; pass < options.gradientAccumulation(); pass++) {
                        try (NDManager scope = m.newSubManager()) {
                            Batch batch = batch(random, views);
                            if (first) {
                                warmStart(scope, batch, embedding);
                                if (method != ConceptMethod.TEXTUAL_INVERSION) {
                                    initialTargets(m, method, valueTargets, keyTargets);
                                }
                                valueTargets.forEach((k, v) -> parameters.put("value_target." + k, v));
                                keyTargets.forEach((k, v) -> parameters.put("key_target." + k, v));
                                embeddingOptimiser = new AdamW(new Parameters(Map.of("token_embedding", embedding))
                                        .requireGradients(), m, 0.9, 0.999, 1e-8, 0, Double.POSITIVE_INFINITY);
                                if (parameters.size() > 1) {
                                    Map<String, NDArray> targets = new LinkedHashMap<>(parameters);
                                    targets.remove("token_embedding");
                                    targetOptimiser = new AdamW(new Parameters(targets).requireGradients(), m, 0.9,
                                            0.999, 1e-8, 0, Double.POSITIVE_INFINITY);
                                }
                                first = false;
                            }
                            try (GradientCollector collector = engine.newGradientCollector()) {
                                NDArray loss = loss(scope, batch, views, embedding, valueTargets, keyTargets);
                                stepLoss += loss.getFloat() / options.gradientAccumulation();
                                collector.backward(Scalars.over(loss, options.gradientAccumulation()));
                            }
                        }
                    }
                    double warm = Math.min(1.0, (step + 1) / 10.0);
                    embeddingOptimiser.step(options.embeddingLearningRate() * warm);
                    if (targetOptimiser != null) {
                        targetOptimiser.step(options.valueLearningRate() * warm);
                    }
                    lastLoss = stepLoss;
                    listener.onProgress(new Progress("training <" + request.name() + ">", step + 1, options.steps(),
                            stepLoss, Duration.ofNanos(System.nanoTime() - start)));
                    if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                        throw new CancellationException("training of <" + request.name() + "> was cancelled after "
                                + (step + 1) + " of " + options.steps() + " steps; nothing was written");
                    }
                }
                return concept(embedding, valueTargets, keyTargets, lastLoss, side);
            }
        }

        double measure(Concept concept, int[] timesteps, long seed) {
            int side = options.resolution() == 0 ? model.defaultImageSize() : options.resolution();
            try (NDManager m = inverse.getManager().newSubManager()) {
                TrainingViews views = TrainingViews.encode(request.images(), side, model.vaeScale(), false, 1,
                        0, model.vae(), m);
                NDArray embedding = m.create(concept.tokenEmbedding());
                Map<String, NDArray> values = new LinkedHashMap<>();
                Map<String, NDArray> keys = new LinkedHashMap<>();
                concept.valueTargets().forEach((k, v) -> values.put(k, m.create(v, new Shape(1, v.length))));
                concept.keyTargets().forEach((k, v) -> keys.put(k, m.create(v, new Shape(1, v.length))));
                double total = 0;
                int photos = request.images().size();
                for (int t = 0; t < timesteps.length; t++) {
                    int[] chosen = new int[photos];
                    float[] times = new float[photos];
                    List<String> used = new ArrayList<>();
                    for (int i = 0; i < photos; i++) {
                        chosen[i] = i;
                        times[i] = timesteps[t];
                        used.add(templates.get((i + t) % templates.size()));
                    }
                    try (NDManager scope = m.newSubManager()) {
                        Batch batch = new Batch(chosen, used, times, seed + 1000L * t);
                        List<List<PromptPart>> prompts = new ArrayList<>();
                        used.forEach(u -> prompts.add(promptParts(u)));
                        StableDiffusion.Encoded encoded = model.encode(scope, prompts, List.of(embedding),
                                List.of(concept.supercategory()));
                        total += loss(scope, batch, views, encoded, concept.conceptInput(),
                                concept.supercategoryInput(), values, keys, concept.method(), concept.editScope(),
                                concept.keyLockForm(), options.gate(), 0).getFloat();
                    }
                }
                return total / timesteps.length;
            }
        }

        /** One pass's draws: views, templates, timesteps. */
        private record Batch(int[] views, List<String> templates, float[] timesteps, long noiseSeed) {
        }

        private Batch batch(SplittableRandom random, TrainingViews views) {
            int n = options.batchSize();
            int photos = request.images().size();
            int[] chosen = new int[n];
            List<String> chosenTemplates = new ArrayList<>();
            float[] t = new float[n];
            for (int i = 0; i < n; i++) {
                int photo = random.nextInt(photos);
                boolean mirror = random.nextDouble() < options.flipProbability();
                int copy = views.shrunkCopies() > 0 ? random.nextInt(views.shrunkCopies() + 1) : 0;
                chosen[i] = views.index(photo, mirror, copy);
                chosenTemplates.add(templates.get(random.nextInt(templates.size())));
                t[i] = random.nextInt(schedule.size());
            }
            return new Batch(chosen, chosenTemplates, t, random.nextLong());
        }

        /** The supercategory word's input embedding (the mean of its tokens' rows), as a trainable array. */
        private NDArray initialEmbedding(NDManager m) {
            List<Integer> ids = model.tokenizer().ids(" " + request.supercategory() + " ");
            if (ids.isEmpty()) {
                throw new PerfusionException("the supercategory \"" + request.supercategory() + "\" has no tokens");
            }
            NDArray table = model.textEncoder().tokenEmbedding();
            NDArray sum = null;
            for (int id : ids) {
                NDArray row = table.get(id);
                sum = sum == null ? row.duplicate() : sum.add(row);
                row.close();
            }
            NDArray mean = Scalars.over(sum, ids.size());
            float[] values = mean.toFloatArray();
            sum.close();
            mean.close();
            NDArray owned = m.create(values).duplicate();
            return owned;
        }

        /** Starts the running averages from the first batch, before any update. */
        private void warmStart(NDManager scope, Batch batch, NDArray embedding) {
            encodeBoth(scope, batch, embedding);
        }

        /** Encodes the batch's prompts with the concept and with the supercategory; updates i* and i_s. */
        private StableDiffusion.Encoded encodeBoth(NDManager scope, Batch batch, NDArray embedding) {
            List<List<PromptPart>> prompts = new ArrayList<>();
            for (String template : batch.templates()) {
                prompts.add(promptParts(template));
            }
            StableDiffusion.Encoded concept = model.encode(scope, prompts, List.of(embedding),
                    List.of(request.supercategory()));
            StableDiffusion.Encoded supercategory = model.encode(scope, prompts, null,
                    List.of(request.supercategory()));
            iStar.update(rowsAt(concept), prompts.size());
            iSuper.update(rowsAt(supercategory), prompts.size());
            return concept;
        }

        /** The encodings at each prompt's concept position, row by row, detached. */
        private static float[] rowsAt(StableDiffusion.Encoded encoded) {
            NDArray hidden = encoded.hidden();
            int batch = (int) hidden.getShape().get(0);
            int length = (int) hidden.getShape().get(1);
            int width = (int) hidden.getShape().get(2);
            float[] all = hidden.stopGradient().toFloatArray();
            float[] out = new float[batch * width];
            for (int b = 0; b < batch; b++) {
                int p = encoded.positions()[b][0];
                if (p < 0) {
                    throw new PerfusionException("a training prompt lost the concept's token to truncation");
                }
                System.arraycopy(all, (b * length + p) * width, out, b * width, width);
            }
            return out;
        }

        /** {@code o*_v = W_v i_s} per layer (and {@code o*_k = W_k i_s} when keys are trained). */
        private void initialTargets(NDManager m, ConceptMethod method, Map<String, NDArray> values,
                Map<String, NDArray> keys) {
            NDArray s = m.create(toFloat(iSuper.value())).reshape(1, -1);
            for (CrossAttentionLayer layer : layers) {
                values.put(layer.name(), projected(s, layer.valueWeight(), m));
                if (method == ConceptMethod.TRAINED_KEYS) {
                    keys.put(layer.name(), projected(s, layer.keyWeight(), m));
                }
            }
        }

        private static NDArray projected(NDArray row, NDArray w, NDManager m) {
            NDArray out = ai.djl.nn.core.Linear.linear(row, w).singletonOrThrow();
            float[] values = out.toFloatArray();
            out.close();
            return m.create(values, new Shape(1, values.length)).duplicate();
        }

        private NDArray loss(NDManager scope, Batch batch, TrainingViews views, NDArray embedding,
                Map<String, NDArray> valueTargets, Map<String, NDArray> keyTargets) {
            StableDiffusion.Encoded encoded = encodeBoth(scope, batch, embedding);
            return loss(scope, batch, views, encoded, toFloat(iStar.value()), toFloat(iSuper.value()), valueTargets,
                    keyTargets, options.method(), options.editScope(), options.keyLockForm(), options.gate(),
                    options.attentionLossWeight());
        }

        /** The loss of one batch for a concept given by its encodings, {@code i*}, {@code i_s} and targets. */
        private NDArray loss(NDManager scope, Batch batch, TrainingViews views, StableDiffusion.Encoded encoded,
                float[] conceptInput, float[] supercategoryInput, Map<String, NDArray> valueTargets,
                Map<String, NDArray> keyTargets, ConceptMethod method, EditScope editScope, KeyLockForm keyLock,
                Gate gate, double attentionWeight) {
            boolean proportional = keyLock == KeyLockForm.PROPORTIONAL;
            int n = batch.views().length;
            int length = (int) encoded.hidden().getShape().get(1);
            List<int[]> rows = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                rows.add(new int[] {encoded.positions()[b][0]});
            }
            Optional<TokenScope> tokens = TokenScope.of(scope, List.of(editScope), rows, length);
            NDArray star = scope.create(conceptInput).reshape(1, -1);
            NDArray superRow = scope.create(supercategoryInput).reshape(1, -1);
            NDArray probe = star.matMul(inverse).transpose();
            NDArray energy = star.matMul(probe).reshape(1);
            List<Gate> gates = List.of(gate);
            Map<String, TextConditioning.LayerEdit> edits = new LinkedHashMap<>();
            Map<String, NDArray> superKeys = new LinkedHashMap<>();
            for (CrossAttentionLayer layer : layers) {
                NDArray wk = layer.keyWeight();
                NDArray wv = layer.valueWeight();
                NDArray lockedKey = ai.djl.nn.core.Linear.linear(superRow, wk).singletonOrThrow();
                superKeys.put(layer.name(), lockedKey.reshape(-1));
                if (method == ConceptMethod.TEXTUAL_INVERSION) {
                    continue;
                }
                NDArray keyRemoval = ai.djl.nn.core.Linear.linear(proportional ? star.sub(superRow) : star, wk)
                        .singletonOrThrow().div(energy);
                NDArray valueRemoval = ai.djl.nn.core.Linear.linear(star, wv).singletonOrThrow().div(energy);
                NDArray keyTarget = keyTargets.getOrDefault(layer.name(), lockedKey);
                if (proportional) {
                    keyTarget = keyTarget.sub(lockedKey);
                }
                GatedProjection key = new GatedProjection(wk, probe, energy, keyRemoval, keyTarget, gates);
                GatedProjection value = new GatedProjection(wv, probe, energy, valueRemoval,
                        valueTargets.get(layer.name()), gates);
                edits.put(layer.name(), tokens.map(t -> new TextConditioning.LayerEdit(key.scopedTo(t),
                        value.scopedTo(t))).orElseGet(() -> new TextConditioning.LayerEdit(key, value)));
            }
            float[] at = new float[n * length];
            for (int b = 0; b < n; b++) {
                at[b * length + encoded.positions()[b][0]] = 1f;
            }
            NDArray positions = scope.create(at, new Shape(n, length));
            NDArray noise = NoiseSource.seeded(batch.noiseSeed()).next(scope,
                    new Shape(n).addAll(views.latentShape()));
            NDArray latents = views.sample(batch.views(), NoiseSource.seeded(batch.noiseSeed() + 1)
                    .next(scope, new Shape(n).addAll(views.latentShape())));
            float[] signal = new float[n];
            float[] spread = new float[n];
            for (int b = 0; b < n; b++) {
                double a = schedule.alphaCumprod((int) batch.timesteps()[b]);
                signal[b] = (float) Math.sqrt(a);
                spread[b] = (float) Math.sqrt(1 - a);
            }
            Shape column = new Shape(n, 1, 1, 1);
            NDArray noisy = latents.mul(scope.create(signal, column)).add(noise.mul(scope.create(spread, column)));
            NDArray masks = views.masks(batch.views(), scope);
            try (TextConditioning text = TextConditioning.probed(encoded.hidden(), edits,
                    new TextConditioning.AttentionProbe(positions, superKeys)).withEnds(encoded.ends())) {
                NDArray predicted = model.unet().forward(noisy, scope.create(batch.timesteps()), text);
                NDArray squared = predicted.sub(noise).square().mul(masks);
                long channels = predicted.getShape().get(1);
                NDArray diffusion = squared.sum().div(Scalars.times(masks.sum(), channels));
                if (attentionWeight == 0 || text.losses().isEmpty()) {
                    return diffusion;
                }
                NDArray attention = null;
                for (NDArray l : text.losses()) {
                    attention = attention == null ? l : attention.add(l);
                }
                return diffusion.add(Scalars.times(attention, attentionWeight / text.losses().size()));
            }
        }

        private Concept concept(NDArray embedding, Map<String, NDArray> valueTargets, Map<String, NDArray> keyTargets,
                double lastLoss, int side) {
            Concept.Builder b = Concept.builder().name(request.name()).supercategory(request.supercategory())
                    .baseModel(model.fingerprint()).method(options.method())
                    .tokenEmbedding(embedding.toFloatArray()).conceptInput(toFloat(iStar.value()))
                    .supercategoryInput(toFloat(iSuper.value())).keyGate(Gate.INFERENCE).valueGate(Gate.INFERENCE)
                    .editScope(options.editScope()).keyLockForm(options.keyLockForm());
            valueTargets.forEach((layer, v) -> b.valueTarget(layer, v.toFloatArray()));
            keyTargets.forEach((layer, k) -> b.keyTarget(layer, k.toFloatArray()));
            Map<String, String> record = new LinkedHashMap<>();
            record.put("method", options.method().id());
            record.put("edit_scope", options.editScope().id());
            record.put("key_lock_form", options.keyLockForm().id());
            record.put("images", Integer.toString(request.images().size()));
            record.put("steps", Integer.toString(options.steps()));
            record.put("batch_size", Integer.toString(options.batchSize()));
            record.put("gradient_accumulation", Integer.toString(options.gradientAccumulation()));
            record.put("value_learning_rate", Double.toString(options.valueLearningRate()));
            record.put("embedding_learning_rate", Double.toString(options.embeddingLearningRate()));
            record.put("training_gate", options.gate().bias() + "/" + options.gate().temperature());
            record.put("attention_loss_weight", Double.toString(options.attentionLossWeight()));
            record.put("resolution", Integer.toString(side));
            record.put("flip_probability", Double.toString(options.flipProbability()));
            record.put("smallest_scale", Double.toString(options.smallestScale()));
            record.put("seed", Long.toString(options.seed()));
            record.put("final_loss", String.format(Locale.ROOT, "%.5f", lastLoss));
            return b.training(record).build();
        }

        private static float[] toFloat(double[] values) {
            float[] out = new float[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) values[i];
            }
            return out;
        }
    }
}
