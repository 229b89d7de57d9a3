package dev.perfusion.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendDiscoveryTest {

    record Fake(String name, int priority, Availability availability) implements BackendProvider {
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
                .hasMessageContaining("fast (priority 50): unusable, no GPU driver")
                .hasMessageContaining("plain (priority 10): usable on cpu");
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
}
