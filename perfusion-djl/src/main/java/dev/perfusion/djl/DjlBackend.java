package dev.perfusion.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Judge;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.djl.judge.EmbeddedJudge;
import dev.perfusion.djl.pipeline.StableDiffusion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A base model opened on DJL: owns the native memory of everything it loads, freed on {@link #close()}.
 *
 * <p>Diffusers folders, single-file checkpoints and the embedded model (unpacked once from the class path into the
 * cache, see {@link EmbeddedModel}) are loaded when the backend opens, and generate images; the embedded model
 * brings its judge. Concept training and generation with concepts are not in this build; those calls refuse with a
 * message that says so.
 */
public final class DjlBackend implements Backend {

    private final BaseModel model;
    private final Device device;
    private final NDManager manager;
    private final Optional<EmbeddedJudge> judge;
    private final GenerationService generation;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DjlBackend(BaseModel model, Device device, NDManager manager, StableDiffusion pipeline,
            Optional<EmbeddedJudge> judge) {
        this.model = model;
        this.device = device;
        this.manager = manager;
        this.judge = judge;
        this.generation = new DjlGeneration(pipeline, manager);
    }

    static DjlBackend open(BaseModel model, BackendOptions options) throws IOException {
        Engine engine = DjlRuntime.engine();
        Device device = DjlRuntime.device(engine, options.device());
        NDManager manager = engine.newBaseManager(device);
        Optional<EmbeddedJudge> judge = Optional.empty();
        try {
            StableDiffusion pipeline = switch (model.kind()) {
                case EMBEDDED -> {
                    Path folder = EmbeddedModel.unpack();
                    judge = Optional.of(EmbeddedJudge.load(folder.resolve("judge")));
                    yield StableDiffusion.load(folder, manager);
                }
                case DIFFUSERS -> StableDiffusion.load(model.location().orElseThrow(), manager);
                case SINGLE_FILE -> StableDiffusion.loadSingleFile(model.location().orElseThrow(),
                        model.components().orElseThrow(), manager);
            };
            return new DjlBackend(model, device, manager, pipeline, judge);
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
    public Optional<Judge> judge() {
        ensureOpen();
        return judge.map(j -> j);
    }

    @Override
    public TrainingService training() {
        ensureOpen();
        return (request, listener) -> {
            throw new UnsupportedOperationException("the DJL backend cannot train concept <" + request.name()
                    + "> yet: Perfusion training is not in this build");
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
