package dev.perfusion.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.Judge;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import dev.perfusion.core.edit.TextCovariance;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.text.EverydayPrompts;
import dev.perfusion.core.train.Templates;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.concept.ConceptTraining;
import dev.perfusion.djl.edit.TextStatistics;
import dev.perfusion.djl.judge.EmbeddedJudge;
import dev.perfusion.djl.pipeline.StableDiffusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A base model opened on DJL: owns the native memory of everything it loads, freed on {@link #close()}.
 *
 * <p>Diffusers folders, single-file checkpoints and the embedded model (unpacked once from the class path into the
 * cache, see {@link EmbeddedModel}) are loaded when the backend opens, and generate images with any number of
 * concepts; the embedded model brings its judge. The model's text statistics ({@code C^{-1}}), which edits need, are
 * read from the cache or estimated on first use: from the world's captions for the embedded model, from
 * {@link EverydayPrompts} for others.
 */
public final class DjlBackend implements Backend {

    private final BaseModel model;
    private final Device device;
    private final NDManager manager;
    private final StableDiffusion pipeline;
    private final Optional<EmbeddedJudge> judge;
    private final Optional<Long> worldSeed;
    private final GenerationService generation;
    private volatile NDArray inverseCovariance;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DjlBackend(BaseModel model, Device device, NDManager manager, StableDiffusion pipeline,
            Optional<EmbeddedJudge> judge, Optional<Long> worldSeed) {
        this.model = model;
        this.device = device;
        this.manager = manager;
        this.pipeline = pipeline;
        this.judge = judge;
        this.worldSeed = worldSeed;
        this.generation = new DjlGeneration(pipeline, manager, this::inverseCovariance);
    }

    static DjlBackend open(BaseModel model, BackendOptions options) throws IOException {
        Engine engine = DjlRuntime.engine();
        Device device = DjlRuntime.device(engine, options.device());
        NDManager manager = engine.newBaseManager(device);
        Optional<EmbeddedJudge> judge = Optional.empty();
        Optional<Long> worldSeed = Optional.empty();
        try {
            StableDiffusion pipeline = switch (model.kind()) {
                case EMBEDDED -> {
                    Path folder = EmbeddedModel.unpack();
                    worldSeed = Optional.of(EmbeddedModel.manifest(DjlBackend.class.getClassLoader())
                            .path("world_seed").asLong());
                    judge = Optional.of(EmbeddedJudge.load(folder.resolve("judge")));
                    yield StableDiffusion.load(folder, manager);
                }
                case DIFFUSERS -> StableDiffusion.load(model.location().orElseThrow(), manager);
                case SINGLE_FILE -> StableDiffusion.loadSingleFile(model.location().orElseThrow(),
                        model.components().orElseThrow(), manager);
            };
            return new DjlBackend(model, device, manager, pipeline, judge, worldSeed);
        } catch (IOException | RuntimeException e) {
            judge.ifPresent(EmbeddedJudge::close);
            manager.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return DjlBackendProvider.NAME;
    }

    @Override
    public String device() {
        return device.toString();
    }

    @Override
    public String fingerprint() {
        ensureOpen();
        return pipeline.fingerprint();
    }

    /** What concept training runs on here: the model, its {@code C^{-1}} and its prompt templates. */
    ConceptTraining.Setup conceptSetup() {
        return conceptSetup(ProgressListener.NONE);
    }

    /** As {@link #conceptSetup()}, reporting the one-time estimate of {@code C} to {@code listener}. */
    ConceptTraining.Setup conceptSetup(ProgressListener listener) {
        return new ConceptTraining.Setup(pipeline, inverseCovariance(listener),
                worldSeed.isPresent() ? Templates.WORLD : Templates.PHOTO);
    }

    /** The model's {@code C^{-1}} on its device: from the cache, or estimated and cached on first use. */
    NDArray inverseCovariance() {
        return inverseCovariance(ProgressListener.NONE);
    }

    private NDArray inverseCovariance(ProgressListener listener) {
        NDArray inverse = inverseCovariance;
        if (inverse == null) {
            synchronized (this) {
                if (inverseCovariance == null) {
                    try {
                        TextCovariance c = worldSeed.isPresent()
                                ? TextStatistics.covariance(pipeline, () -> worldCaptions(worldSeed.get()),
                                        "world " + worldSeed.get() + ", " + COVARIANCE_CAPTIONS + " captions",
                                        EmbeddedModel.cacheRoot(), listener)
                                : TextStatistics.covariance(pipeline,
                                        () -> EverydayPrompts.generate(COVARIANCE_CAPTIONS, 0),
                                        "everyday prompts, " + COVARIANCE_CAPTIONS, EmbeddedModel.cacheRoot(),
                                        listener);
                        inverseCovariance = TextStatistics.inverseOnDevice(c, manager);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read or write the text statistics cache", e);
                    }
                }
                inverse = inverseCovariance;
            }
        }
        return inverse;
    }

    /** Captions the text statistics are estimated from. */
    static final int COVARIANCE_CAPTIONS = 5000;

    private static List<String> worldCaptions(long seed) {
        World world = new World(seed);
        List<String> captions = new ArrayList<>();
        for (long i = 0; i < COVARIANCE_CAPTIONS; i++) {
            captions.add(world.sample(i).caption());
        }
        return captions;
    }

    @Override
    public Optional<Judge> judge() {
        ensureOpen();
        return judge.map(j -> j);
    }

    @Override
    public TrainingService training() {
        ensureOpen();
        return new TrainingService() {
            @Override
            public Concept train(TrainingRequest request, ProgressListener listener, BooleanSupplier cancelled) {
                return ConceptTraining.train(conceptSetup(listener), request, listener, cancelled);
            }

            @Override
            public TrainingOptions recommendedOptions() {
                return worldSeed.isPresent() ? EmbeddedModel.conceptTraining() : TrainingOptions.defaults();
            }
        };
    }

    @Override
    public GenerationService generation() {
        ensureOpen();
        return generation;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this Perfusion backend is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            judge.ifPresent(EmbeddedJudge::close);
            manager.close();
        }
    }
}
