package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.io.AtomicFiles;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.schedule.NoiseSchedule;
import dev.perfusion.core.schedule.SchedulerConfig;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.clip.ClipTextModel;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.train.CheckpointFolder;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.train.LearningRate;
import dev.perfusion.djl.train.Parameters;
import dev.perfusion.djl.train.TrainingLoop;
import dev.perfusion.djl.train.TrainingTask;
import dev.perfusion.djl.unet.TextConditioning;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import dev.perfusion.djl.vae.AutoencoderKL;
import dev.perfusion.djl.weights.InitialWeights;
import dev.perfusion.djl.weights.RecordingWeights;
import dev.perfusion.djl.weights.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Part "unet": the conditional UNet, trained from scratch on VAE latents of the world's pictures to predict the
 * noise of Stable Diffusion 1.x's schedule, conditioned on the frozen text encoder's encodings of their captions.
 * The recipe: min-SNR-5 weighting of the per-sample loss, 10% of captions dropped to the empty prompt (for
 * classifier-free guidance), the residual branches' last layers initialised to zero (ADM's {@code zero_module}), and
 * an EMA of the weights, which is what is exported. Needs the tokenizer, text-encoder and vae parts.
 */
public final class UNetTraining {

    /** Chance a caption is replaced by the empty prompt. */
    static final double CAPTION_DROPOUT = 0.1;
    /** The min-SNR weighting's gamma. */
    static final double SNR_GAMMA = 5;
    private static final Pattern ZERO_INITIALISED = Pattern.compile(
            ".*resnets\\.\\d+\\.conv2\\.weight|.*attn[12]\\.to_out\\.0\\.weight|.*proj_out\\.weight"
                    + "|.*ff\\.net\\.2\\.weight|conv_out\\.weight");

    private UNetTraining() {
    }

    public static List<Double> run(Path work, EmbeddedRecipe recipe, NDManager parent, ProgressListener listener,
            BooleanSupplier cancelled) throws IOException {
        EmbeddedRecipe.Part part = recipe.unet();
        return train(work, recipe, part, "unet", CrossAttentionSpan.ALL, 1, 0, (config, manager) -> {
            InitialWeights init = new InitialWeights(manager, part.seed(),
                    key -> ZERO_INITIALISED.matcher(key).matches());
            UNet2DConditionModel unet = UNet2DConditionModel.build(config, init, manager);
            return new Built(unet, new Parameters(init.created()));
        }, record(recipe, work.resolve("model")), parent, listener, cancelled);
    }

    /**
     * Part "unet-continue" (span {@link CrossAttentionSpan#ALL}), "unet-words" (span {@link CrossAttentionSpan#WORDS})
     * or "unet-words-end" (span {@link CrossAttentionSpan#WORDS_AND_END}): more steps for the UNet in
     * {@code model/unet}, with a learning-rate schedule of its own ({@link #continuation}) on scenes part "unet" never
     * drew. "unet-continue" continues part "unet"'s UNet; the other two continue the one in place (part
     * "unet-continue"'s where it ran), with the same schedule, seed and scenes, their cross-attention reading only
     * the part of each caption their span names, and write a config that says so. Each starts from the exported EMA
     * weights, which it copies to its checkpoint folder first so that its record and any resume refer to them and
     * not to the {@code model/unet} it replaces when it finishes. Part "unet-colour-optional" continues the one in
     * place too, for half those steps, on the next round of scenes, with captions that leave colours out
     * ({@link Continuation}).
     * The trainable weights are copies of the file's ({@link dev.perfusion.djl.weights.Weights#copied}).
     * {@code name} is the part's, which also names its checkpoint folder and its record.
     */
    public static List<Double> runContinuation(Path work, EmbeddedRecipe recipe, String name,
            Continuation continuation, NDManager parent, ProgressListener listener, BooleanSupplier cancelled)
            throws IOException {
        EmbeddedRecipe.Part part = continuation(recipe, continuation);
        CrossAttentionSpan span = continuation.span();
        Path start = checkpoints(work, name).root().resolve("start.safetensors");
        if (!Files.isRegularFile(start)) {
            Path finished = work.resolve("model/unet/diffusion_pytorch_model.safetensors");
            if (!Files.isRegularFile(finished)) {
                throw new NoSuchFileException(finished.toString(), null, "part " + name
                        + " continues the UNet of part unet, which has not finished");
            }
            Files.createDirectories(start.getParent());
            AtomicFiles.write(start, out -> Files.copy(finished, out));
        }
        ObjectNode record = (ObjectNode) record(recipe, work.resolve("model"));
        record.put("part", name);
        record.set("part_recipe", new ObjectMapper().valueToTree(part));
        record.put("start_sha256", EmbeddedModel.sha256(start));
        if (span != CrossAttentionSpan.ALL) {
            record.put(UNetConfig.SPAN_KEY, span.id());
        }
        if (continuation.colourChance() < 1) {
            record.put("caption_colour_chance", continuation.colourChance());
        }
        long firstStep = recipe.unet().settings().steps()
                + continuation.sceneRound() * continuation(recipe).settings().steps();
        try (NDManager stores = parent.newSubManager();
                WeightStore store = WeightStore.open(start, stores, KeyMap.prefixed(""))) {
            return train(work, recipe, part, name, span, continuation.colourChance(), firstStep, (config, manager) -> {
                RecordingWeights weights = new RecordingWeights(store.copied(manager));
                UNet2DConditionModel unet = UNet2DConditionModel.build(config, weights, manager);
                return new Built(unet, new Parameters(weights.taken()));
            }, record, parent, listener, cancelled);
        }
    }

    /**
     * The record of continuation part {@code name} in {@code work} where it has run all its steps (its part recipe
     * and the SHA-256 of the weights it started from), or empty where it has not run or not finished.
     */
    static Optional<JsonNode> finishedContinuation(Path work, EmbeddedRecipe recipe, String name,
            Continuation continuation) throws IOException {
        CheckpointFolder folder = checkpoints(work, name);
        Optional<TrainingLoop.Checkpoint> latest = TrainingLoop.latest(folder);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        TrainingLoop.Checkpoint checkpoint = latest.get();
        if (checkpoint.record() == null || !checkpoint.record().isObject()) {
            throw new IOException(checkpoint.folder().resolve("state.json")
                    + ": expected a checkpoint state with 'step' and 'record'");
        }
        return checkpoint.step() >= continuation(recipe, continuation).settings().steps()
                ? Optional.of(checkpoint.record()) : Optional.empty();
    }

    /** The checkpoints of part {@code name} ("unet" or a continuation's). */
    private static CheckpointFolder checkpoints(Path work, String name) {
        return new CheckpointFolder(work.resolve("checkpoints").resolve(name));
    }

    /**
     * The continuation's part: half the UNet's steps, from half its peak learning rate with a short warmup, cosine
     * to 10%, the same batch, EMA and checkpoints, and its own seed.
     */
    static EmbeddedRecipe.Part continuation(EmbeddedRecipe recipe) {
        EmbeddedRecipe.Part unet = recipe.unet();
        TrainingLoop.Settings s = unet.settings();
        long steps = Math.max(1, s.steps() / 2);
        return new EmbeddedRecipe.Part(unet.seed() + 1, unet.batch(), new TrainingLoop.Settings(steps,
                new LearningRate(s.schedule().peak() / 2, Math.min(200, steps / 4), steps, s.schedule().floor()),
                s.weightDecay(), s.clipNorm(), s.emaDecay(), s.checkpointEvery()));
    }

    /**
     * The part of a continuation with {@code continuation}'s share of {@link #continuation(EmbeddedRecipe)}'s steps,
     * its warmup and cosine fitted to them.
     */
    static EmbeddedRecipe.Part continuation(EmbeddedRecipe recipe, Continuation continuation) {
        EmbeddedRecipe.Part full = continuation(recipe);
        if (continuation.stepFraction() == 1) {
            return full;
        }
        TrainingLoop.Settings s = full.settings();
        long steps = Math.max(1, Math.round(s.steps() * continuation.stepFraction()));
        return new EmbeddedRecipe.Part(full.seed(), full.batch(), new TrainingLoop.Settings(steps,
                new LearningRate(s.schedule().peak(), Math.min(200, steps / 4), steps, s.schedule().floor()),
                s.weightDecay(), s.clipNorm(), s.emaDecay(), s.checkpointEvery()));
    }

    /**
     * What a continuation part does differently: what its UNet's cross-attention reads, how often its captions name
     * each object's colour, its share of the continuation's steps, and which scenes it draws (round 0: those after
     * part "unet"'s; round {@code r}: those after {@code r} full continuations' worth).
     */
    public record Continuation(CrossAttentionSpan span, double colourChance, double stepFraction, int sceneRound) {

        public Continuation {
            java.util.Objects.requireNonNull(span, "span");
            if (!(colourChance >= 0 && colourChance <= 1) || !(stepFraction > 0 && stepFraction <= 1)
                    || sceneRound < 0) {
                throw new IllegalArgumentException("colour chance in [0, 1], step fraction in (0, 1] and scene round "
                        + ">= 0 expected, got " + colourChance + ", " + stepFraction + ", " + sceneRound);
            }
        }

        /** A full continuation on the first round of scenes after part "unet"'s, every colour named. */
        public static Continuation of(CrossAttentionSpan span) {
            return new Continuation(span, 1, 1, 0);
        }
    }

    /** A UNet and its trainable parameters. */
    private record Built(UNet2DConditionModel unet, Parameters parameters) {
    }

    @FunctionalInterface
    private interface Builder {
        Built build(UNetConfig config, NDManager manager) throws IOException;
    }

    /**
     * Trains a UNet on the frozen text encoder and VAE; step {@code k} draws the world's scenes of step
     * {@code firstStep + k}, so a continuation sees scenes its first run did not.
     */
    private static List<Double> train(Path work, EmbeddedRecipe recipe, EmbeddedRecipe.Part part, String name,
            CrossAttentionSpan span, double colourChance, long firstStep, Builder builder, JsonNode record, NDManager parent,
            ProgressListener listener, BooleanSupplier cancelled) throws IOException {
        Path model = work.resolve("model");
        ClipTokenizer tokenizer = ClipTokenizer.load(model.resolve("tokenizer"));
        try (NDManager manager = parent.newSubManager();
                ClipTextModel text = ClipTextModel.load(model.resolve("text_encoder"), manager);
                AutoencoderKL vae = AutoencoderKL.load(model.resolve("vae"), manager)) {
            UNetConfig config = recipe.unetConfig(text.config().hiddenSize()).withCrossAttentionSpan(span);
            Built built = builder.build(config, manager);
            UNet2DConditionModel unet = built.unet();
            Parameters parameters = built.parameters();
            NoiseSchedule schedule = NoiseSchedule.training(SchedulerConfig.SD1);
            World world = new World(recipe.worldSeed());
            int size = recipe.imageSize();
            TrainingTask task = new TrainingTask() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Parameters parameters() {
                    return parameters;
                }

                @Override
                public NDArray loss(NDManager m, long step) {
                    SplittableRandom random = new SplittableRandom(part.seed() * 1_000_003L + step);
                    int batch = part.batch();
                    List<int[]> pictures = new ArrayList<>();
                    long[] ids = new long[batch * ClipTokenizer.MAX_LENGTH];
                    float[] signal = new float[batch];
                    float[] noiseScale = new float[batch];
                    float[] times = new float[batch];
                    float[] weights = new float[batch];
                    int[] ends = new int[batch];
                    for (int i = 0; i < batch; i++) {
                        World.Sample sample = world.sample((firstStep + step) * batch + i, colourChance);
                        pictures.add(Renderer.render(sample.scene(), size).rgb());
                        String caption = random.nextDouble() < CAPTION_DROPOUT ? "" : sample.caption();
                        int[] row = tokenizer.encode(caption);
                        for (int j = 0; j < row.length; j++) {
                            ids[i * row.length + j] = row[j];
                        }
                        ends[i] = tokenizer.endPosition(row);
                        int t = random.nextInt(schedule.size());
                        double alpha = schedule.alphaCumprod(t);
                        double snr = alpha / (1 - alpha);
                        signal[i] = (float) Math.sqrt(alpha);
                        noiseScale[i] = (float) Math.sqrt(1 - alpha);
                        times[i] = t;
                        weights[i] = (float) (Math.min(snr, SNR_GAMMA) / snr);
                    }
                    NDArray context = text.forward(m.create(ids, new Shape(batch, ClipTokenizer.MAX_LENGTH)));
                    NDArray latents = vae.encode(Images.batch(m, pictures, size))
                            .sample(NoiseSource.seeded(random.nextLong()));
                    latents = Scalars.times(latents, vae.scalingFactor());
                    NDArray noise = NoiseSource.seeded(random.nextLong()).next(m, latents.getShape());
                    Shape column = new Shape(batch, 1, 1, 1);
                    NDArray noisy = latents.mul(m.create(signal, column)).add(noise.mul(m.create(noiseScale, column)));
                    NDArray predicted;
                    try (TextConditioning conditioning = TextConditioning.of(context).withEnds(ends)) {
                        predicted = unet.forward(noisy, m.create(times, new Shape(batch)), conditioning);
                    }
                    NDArray perSample = predicted.sub(noise).square().reshape(batch, -1).mean(new int[] {1});
                    return perSample.mul(m.create(weights, new Shape(batch))).mean();
                }
            };
            TrainingLoop.Result result = TrainingLoop.run(task, part.settings(),
                    checkpoints(work, name), manager, record, listener, cancelled);
            export(model, config, result.parameters());
            return result.losses();
        }
    }


    /**
     * What the UNet's checkpoints record: its part of the recipe and the SHA-256 of every file of the frozen parts it
     * learns from (tokenizer, text encoder, VAE), so that a checkpoint is not resumed over a retrained text encoder or
     * VAE, whose encodings its weights were not trained on.
     */
    static JsonNode record(EmbeddedRecipe recipe, Path model) throws IOException {
        ObjectNode record = (ObjectNode) recipe.record("unet");
        ObjectNode frozen = record.putObject("frozen_parts_sha256");
        for (String folder : List.of("tokenizer", "text_encoder", "vae")) {
            List<Path> files;
            try (Stream<Path> listing = Files.list(model.resolve(folder))) {
                files = listing.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                frozen.put(folder + "/" + file.getFileName(), EmbeddedModel.sha256(file));
            }
        }
        return record;
    }

    /**
     * Writes {@code scheduler/scheduler_config.json}: the SD 1.x noise schedule the UNet was trained on, with the
     * settings SD 1.x pipelines sample with ({@link SchedulerConfig#SD1}).
     */
    static void writeScheduler(Path model) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path scheduler = model.resolve("scheduler");
        Files.createDirectories(scheduler);
        ObjectNode s = json.createObjectNode();
        s.put("_class_name", "DPMSolverMultistepScheduler");
        SchedulerConfig.SD1.keys().stream().sorted().forEach(key -> s.set(key, json.valueToTree(
                SchedulerConfig.SD1.value(key))));
        Files.write(scheduler.resolve("scheduler_config.json"), json.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(s));
    }

    /** Writes {@code unet/}, {@code scheduler/} and {@code model_index.json} into the model folder. */
    static void export(Path model, UNetConfig config, Parameters parameters) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path unet = model.resolve("unet");
        Files.createDirectories(unet);
        Files.write(unet.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                config.toJson()));
        parameters.save(unet.resolve("diffusion_pytorch_model.safetensors"), DType.F32);
        writeScheduler(model);
        ObjectNode index = json.createObjectNode();
        index.put("_class_name", "StableDiffusionPipeline");
        index.putArray("scheduler").add("diffusers").add("DPMSolverMultistepScheduler");
        index.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        index.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        index.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        index.putArray("vae").add("diffusers").add("AutoencoderKL");
        index.put("requires_safety_checker", false);
        Files.write(model.resolve("model_index.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    }
}
