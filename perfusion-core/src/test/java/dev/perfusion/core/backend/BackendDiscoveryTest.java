package dev.perfusion.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.Capability;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendDiscoveryTest {

    record Fake(String name, int priority, Availability availability, Set<Capability> capabilities)
            implements BackendProvider {

        Fake(String name, int priority, Availability availability) {
            this(name, priority, availability, EnumSet.allOf(Capability.class));
        }

        @Override
        public Backend open(BaseModel model, BackendOptions options) {
            throw new UnsupportedOperationException("not opened in discovery tests");
        }
    }

    /** Registered through a services file in a temporary class path entry. */
    public static final class Registered implements BackendProvider {
        @Override
        public String name() {
            return "registered";
        }

        @Override
        public int priority() {
            return 5;
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.of(Capability.GENERATION);
        }

        @Override
        public Availability availability() {
            return Availability.usable("cpu");
        }

        @Override
        public Backend open(BaseModel model, BackendOptions options) throws IOException {
            throw new IOException("not opened in discovery tests");
        }
    }

    private final Fake fast = new Fake("fast", 50, Availability.unusable("no GPU driver"));
    private final Fake plain = new Fake("plain", 10, Availability.usable("cpu"));
    private final Fake other = new Fake("other", 10, Availability.usable("cpu"));

    @AfterEach
    void clearProperty() {
        System.clearProperty(BackendDiscovery.PROPERTY);
    }

    @Test
    void highestPriorityUsableProviderWinsWithTiesBrokenByName() {
        assertThat(BackendDiscovery.of(List.of(fast, plain, other)).select(Optional.empty())).isSameAs(other);
    }

    @Test
    void anExplicitNameOverridesThePropertyWhichOverridesPriority() {
        BackendDiscovery d = BackendDiscovery.of(List.of(fast, plain, other));
        System.setProperty(BackendDiscovery.PROPERTY, "plain");
        assertThat(d.select(Optional.empty())).isSameAs(plain);
        assertThat(d.select(Optional.of("other"))).isSameAs(other);
    }

    @Test
    void aMissingBackendIsReportedWithEveryProviderSeenAndWhy() {
        BackendDiscovery d = BackendDiscovery.of(List.of(fast, plain));
        assertThatThrownBy(() -> d.select(Optional.of("tensorflow")))
                .isInstanceOf(NoBackendException.class)
                .hasMessageContaining("no backend named 'tensorflow'")
                .hasMessageContaining("fast (priority 50, [GENERATION, CONCEPTS, TRAINING, EMBEDDED_MODEL, CUDA]): "
                        + "unusable, no GPU driver")
                .hasMessageContaining("plain (priority 10, [GENERATION, CONCEPTS, TRAINING, EMBEDDED_MODEL, CUDA]): "
                        + "usable on cpu");
        assertThatThrownBy(() -> d.select(Optional.of("fast")))
                .hasMessageContaining("backend 'fast' cannot run here: no GPU driver");
        System.setProperty(BackendDiscovery.PROPERTY, "nope");
        assertThatThrownBy(() -> d.select(Optional.empty()))
                .hasMessageContaining("no backend named 'nope' (from system property perfusion.backend)");
    }

    @Test
    void noUsableProviderAndAnEmptyClassPathAreExplained() {
        assertThatThrownBy(() -> BackendDiscovery.of(List.of(fast)).select(Optional.empty()))
                .hasMessageContaining("no usable backend; providers found:")
                .hasMessageContaining("no GPU driver");
        assertThatThrownBy(() -> BackendDiscovery.of(List.of()).select(Optional.empty()))
                .hasMessageContaining("no backend provider is on the class path");
    }

    @Test
    void serviceLoaderFindsRegisteredProvidersAndReportsBrokenEntries(@TempDir Path dir) throws IOException {
        Path services = dir.resolve("META-INF/services/" + BackendProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, Registered.class.getName() + "\ncom.example.Missing\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            BackendDiscovery d = BackendDiscovery.fromClassLoader(loader);

            assertThat(d.reports()).extracting(ProviderReport::name).contains("registered", "<failed to load>");
            assertThat(d.reports()).filteredOn(r -> r.name().equals("<failed to load>"))
                    .singleElement().extracting(r -> r.availability().detail()).asString()
                    .contains("com.example.Missing");
            assertThat(d.select(Optional.of("registered"))).isInstanceOf(Registered.class);
        }
    }

    @Test
    void providersLackingANeededCapabilityAreSkippedOrNamed() {
        Fake generateOnly = new Fake("small", 90, Availability.usable("cpu"), EnumSet.of(Capability.GENERATION));
        BackendDiscovery discovery = BackendDiscovery.of(List.of(generateOnly, plain));

        assertThat(discovery.select(Optional.empty(), Set.of(Capability.GENERATION)).name()).isEqualTo("small");
        assertThat(discovery.select(Optional.empty(), Set.of(Capability.TRAINING)).name()).isEqualTo("plain");
        assertThatThrownBy(() -> discovery.select(Optional.of("small"), Set.of(Capability.TRAINING)))
                .isInstanceOf(NoBackendException.class)
                .hasMessageContaining("backend 'small' lacks [TRAINING]")
                .hasMessageContaining("small (priority 90, [GENERATION]): usable on cpu");
        assertThatThrownBy(() -> BackendDiscovery.of(List.of(generateOnly)).select(Optional.empty(),
                Set.of(Capability.EMBEDDED_MODEL)))
                .hasMessageContaining("no usable backend with [EMBEDDED_MODEL]");
    }
}
