package dev.perfusion.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.Capability;
import dev.perfusion.core.backend.BackendDiscovery;
import dev.perfusion.core.backend.NoBackendException;
import dev.perfusion.core.backend.ProviderReport;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlBackendProviderTest {

    /** The PyTorch version of the pytorch-native jar this build depends on, as the pom declares it. */
    private static final String PYTORCH_VERSION = dependencyVersion("pytorch.version");

    private static String dependencyVersion(String key) {
        Properties versions = new Properties();
        try (InputStream in = DjlBackendProviderTest.class.getResourceAsStream("/dependency-versions.properties")) {
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return versions.getProperty(key);
    }

    @Test
    void serviceLoaderFindsTheDjlProviderOnAPlainClassPath() {
        BackendDiscovery discovery = BackendDiscovery.fromClassPath();

        assertThat(discovery.reports()).extracting(ProviderReport::name).contains(DjlBackendProvider.NAME);
        ProviderReport djl = discovery.reports().stream().filter(r -> r.name().equals("djl")).findFirst()
                .orElseThrow();
        assertThat(djl.availability().usable()).as(djl.toString()).isTrue();
        assertThat(djl.availability().detail()).startsWith("PyTorch " + PYTORCH_VERSION + ", ");
        assertThat(discovery.select(Optional.empty())).isInstanceOf(DjlBackendProvider.class);
    }

    @Test
    void theBackendPutsDjlInOfflineMode() {
        System.clearProperty(DjlRuntime.OFFLINE_PROPERTY);
        new DjlBackendProvider().availability();
        assertThat(System.getProperty(DjlRuntime.OFFLINE_PROPERTY)).isEqualTo("true");
    }

    @Test
    void askingForAMissingBackendListsTheOnesFound() {
        assertThatThrownBy(() -> Perfusion.builder().backend("onnx").open(BaseModel.embedded()))
                .isInstanceOf(NoBackendException.class)
                .hasMessageContaining("no backend named 'onnx'")
                .hasMessageContaining("djl (priority 100, [GENERATION, CONCEPTS, TRAINING, EMBEDDED_MODEL, CUDA]): "
                        + "usable on PyTorch " + PYTORCH_VERSION);
    }

    @Test
    void theProviderDeclaresWhatItCanDo() {
        assertThat(new DjlBackendProvider().capabilities()).containsExactlyInAnyOrder(Capability.values());
    }

    @Test
    void modelLocationsAreCheckedBeforeAnythingLoads(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> Perfusion.open(BaseModel.diffusers(dir)))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("model_index.json");

        Path pickle = Files.write(dir.resolve("v1-5.ckpt"), new byte[16]);
        assertThatThrownBy(() -> Perfusion.open(BaseModel.singleFile(pickle, Fixtures.MODEL)))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("is a pickle checkpoint")
                .hasMessageContaining("convert it to .safetensors");

        Path corrupt = Files.write(dir.resolve("model.safetensors"), new byte[3]);
        assertThatThrownBy(() -> Perfusion.open(BaseModel.singleFile(corrupt, Fixtures.MODEL)))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("shorter than the 8-byte header");
    }
}
