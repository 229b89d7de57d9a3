package dev.perfusion.api.spi;

import dev.perfusion.api.BaseModel;
import java.io.IOException;
import java.util.Set;

/**
 * Makes a tensor engine available to the SDK. Implementations need a public no-argument constructor and must be
 * cheap to construct: the SDK instantiates every provider on the class path to choose one.
 */
public interface BackendProvider {

    /** A short unique name, such as "djl"; what users pass to choose this backend. */
    String name();

    /** Higher wins when no backend is asked for by name. */
    int priority();

    /** What this backend can do; discovery skips it for calls that need something else. */
    Set<Capability> capabilities();

    /** Whether this backend can run here, and if not, why; may load native code, must not throw. */
    Availability availability();

    /**
     * Opens the base model on this backend.
     *
     * @throws IOException when the model's files cannot be read or do not hold a valid model
     */
    Backend open(BaseModel model, BackendOptions options) throws IOException;
}
