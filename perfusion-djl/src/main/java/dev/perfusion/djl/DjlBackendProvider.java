package dev.perfusion.djl;

import ai.djl.engine.Engine;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.Capability;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/** The default backend: Deep Java Library on PyTorch, CUDA where present, else CPU, never downloading. */
public final class DjlBackendProvider implements BackendProvider {

    /** The name to choose this backend by. */
    public static final String NAME = "djl";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.GENERATION, Capability.CONCEPTS, Capability.TRAINING,
                Capability.EMBEDDED_MODEL, Capability.CUDA);
    }

    @Override
    public Availability availability() {
        try {
            Engine engine = DjlRuntime.engine();
            return Availability.usable("PyTorch " + engine.getVersion() + ", "
                    + DjlRuntime.device(engine, BackendOptions.DevicePreference.AUTO));
        } catch (RuntimeException | LinkageError e) {
            return Availability.unusable("PyTorch engine failed to load offline: " + e.getMessage()
                    + " (is pytorch-native-cpu or -cu128 with the linux-x86_64 classifier on the class path?)");
        }
    }

    @Override
    public Backend open(BaseModel model, BackendOptions options) throws IOException {
        return DjlBackend.open(model, options);
    }
}
