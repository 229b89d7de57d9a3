package dev.perfusion.core.backend;

import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.BackendProvider;
import java.util.Optional;

/**
 * What discovery learned of one provider on the class path.
 *
 * @param name         the provider's name, or its class where it could not even be loaded
 * @param priority     its priority (0 where unknown)
 * @param availability whether it can run, and the device or the reason
 * @param provider     the provider, absent where it failed to load
 */
public record ProviderReport(String name, int priority, Availability availability,
        Optional<BackendProvider> provider) {

    @Override
    public String toString() {
        return name + " (priority " + priority + provider.map(p -> ", " + p.capabilities()).orElse("") + "): "
                + (availability.usable() ? "usable on " : "unusable, ") + availability.detail();
    }
}
