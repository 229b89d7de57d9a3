package dev.perfusion.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import dev.perfusion.djl.pipeline.StableDiffusion;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A base model opened on DJL: owns the native memory of everything it loads, freed on {@link #close()}.
 *
 * <p>Diffusers folders and single-file checkpoints are loaded when the backend opens, and generate images. The
 * embedded model, concept training and generation with concepts are not in this build; those calls refuse with a
 * message that says so.
 */
public final class DjlBackend implements Backend {

    private final BaseModel model;
    private final Device device;
    private final NDManager manager;
    private final Optional<StableDiffusion> pipeline;
    private final GenerationService generation;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DjlBackend(BaseModel model, Device device, NDManager manager, Optional<StableDiffusion> pipeline) {
        this.model = model;
        this.device = device;
        this.manager = manager;
        this.pipeline = pipeline;
        this.generation = pipeline.<GenerationService>map(p -> new DjlGeneration(p, manager))
                .orElse((request, listener) -> {
                    throw new UnsupportedOperationException("the embedded base model is not in this build; open a "
                            + "diffusers folder or a single-file checkpoint to generate");
                });
    }

    static DjlBackend open(BaseModel model, BackendOptions options) throws IOException {
        Engine engine = DjlRuntime.engine();
        Device device = DjlRuntime.device(engine, options.device());
        NDManager manager = engine.newBaseManager(device);
        try {
            Optional<StableDiffusion> pipeline = switch (model.kind()) {
                case EMBEDDED -> Optional.empty();
                case DIFFUSERS -> Optional.of(StableDiffusion.load(model.location().orElseThrow(), manager));
                case SINGLE_FILE -> Optional.of(StableDiffusion.loadSingleFile(model.location().orElseThrow(),
                        model.components().orElseThrow(), manager));
            };
            return new DjlBackend(model, device, manager, pipeline);
        } catch (IOException | RuntimeException e) {
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

    /** The manager owning this backend's native memory; closed with the backend. */
    public NDManager manager() {
        ensureOpen();
        return manager;
    }

    /** The loaded text-to-image model, absent for the embedded model in this build. */
    public Optional<StableDiffusion> pipeline() {
        ensureOpen();
        return pipeline;
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
            manager.close();
        }
    }
}
