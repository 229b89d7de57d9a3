package dev.perfusion.djl.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perfusion.djl.DjlRuntime;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class one DJL base manager, open from before the class's own {@code @BeforeAll} methods until after
 * its {@code @AfterAll} methods; whatever the class loads onto it is freed with it. Register it as
 * {@code @RegisterExtension static final EngineScope ENGINE = new EngineScope();}.
 */
public final class EngineScope implements BeforeAllCallback, AfterAllCallback {

    private NDManager manager;

    @Override
    public void beforeAll(ExtensionContext context) {
        manager = DjlRuntime.engine().newBaseManager();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        manager.close();
        manager = null;
    }

    /** The class's manager. */
    public NDManager manager() {
        if (manager == null) {
            throw new IllegalStateException("EngineScope is used outside the test class it is registered on");
        }
        return manager;
    }

    public Engine engine() {
        return manager().getEngine();
    }
}
