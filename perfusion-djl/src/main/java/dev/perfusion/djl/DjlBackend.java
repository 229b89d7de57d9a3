package dev.perfusion.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A base model opened on DJL: owns the native memory of everything it loads, freed on {@link #close()}.
 *
 * <p>This build checks the model's location and holds the engine, the device and the gated rank-one projection
 * ({@link dev.perfusion.djl.edit.GatedProjection}); the Stable Diffusion components that training and sampling run
 * through (tokenizer, text encoder, UNet, VAE, schedulers) are not in it yet, so {@link #training()} and
 * {@link #generation()} refuse with a message that says so.
 */
public final class DjlBackend implements Backend {

    private final BaseModel model;
    private final Device device;
    private final NDManager manager;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DjlBackend(BaseModel model, Device device, NDManager manager) {
        this.model = model;
        this.device = device;
        this.manager = manager;
    }

    static DjlBackend open(BaseModel model, BackendOptions options) throws IOException {
        ModelLocation.check(model);
        Engine engine = DjlRuntime.engine();
        Device device = DjlRuntime.device(engine, options.device());
        return new DjlBackend(model, device, engine.newBaseManager(device));
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

    @Override
    public TrainingService training() {
        ensureOpen();
        return (request, listener) -> {
            throw missingModelCode("train concept <" + request.name() + ">");
        };
    }

    @Override
    public GenerationService generation() {
        ensureOpen();
        return (request, listener) -> {
            throw missingModelCode("generate images");
        };
    }

    private UnsupportedOperationException missingModelCode(String what) {
        return new UnsupportedOperationException("the DJL backend cannot " + what + " on " + model
                + " yet: this build has no Stable Diffusion model code (text encoder, UNet, VAE, schedulers)");
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
