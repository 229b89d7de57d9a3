package dev.perfusion.core.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.world.World;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelTest {

    @TempDir
    Path dir;

    private Path model() throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model.resolve("unet"));
        Files.writeString(model.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionPipeline\"}");
        byte[] weights = new byte[5000];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 31);
        }
        Files.write(model.resolve("unet/diffusion_pytorch_model.safetensors"), weights);
        ManifestWriter.write(model, new ObjectMapper().createObjectNode().put("world_version", 1));
        return model;
    }

    /** The model folder as a jar with its files under the resource root, each passed through {@code edit}. */
    private URLClassLoader jar(Path model, Map<String, UnaryOperator<byte[]>> edits) throws IOException {
        Path jar = dir.resolve("model-" + System.nanoTime() + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
                Stream<Path> files = Files.walk(model)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = model.relativize(f).toString();
                zip.putNextEntry(new JarEntry(EmbeddedModel.ROOT + name));
                zip.write(edits.getOrDefault(name, b -> b).apply(Files.readAllBytes(f)));
                zip.closeEntry();
            }
        }
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    }

    @Test
    void unpacksFromAPackagedJarOnceIntoAFolderNamedByTheChecksum() throws IOException {
        Path model = model();
        Path cache = dir.resolve("cache");
        try (URLClassLoader loader = jar(model, Map.of())) {
            Path unpacked = EmbeddedModel.unpack(loader, cache);
            assertThat(unpacked.getFileName().toString())
                    .isEqualTo(EmbeddedModel.manifest(loader).get("checksum").asText().substring(0, 16));
            assertThat(Files.readAllBytes(unpacked.resolve("unet/diffusion_pytorch_model.safetensors")))
                    .isEqualTo(Files.readAllBytes(model.resolve("unet/diffusion_pytorch_model.safetensors")));
            long written = Files.getLastModifiedTime(unpacked.resolve("model_index.json")).toMillis();
            Files.writeString(unpacked.resolve("model_index.json"), "kept");
            assertThat(EmbeddedModel.unpack(loader, cache)).isEqualTo(unpacked);
            assertThat(Files.readString(unpacked.resolve("model_index.json"))).as("not copied again").isEqualTo("kept");
            assertThat(written).isPositive();
        }
    }

    @Test
    void aCorruptedResourceIsNamedAndNothingIsLeftInTheCache() throws IOException {
        Path model = model();
        Path cache = dir.resolve("cache");
        UnaryOperator<byte[]> flip = b -> {
            byte[] c = b.clone();
            c[100] ^= 1;
            return c;
        };
        try (URLClassLoader loader = jar(model, Map.of("unet/diffusion_pytorch_model.safetensors", flip))) {
            assertThatThrownBy(() -> EmbeddedModel.unpack(loader, cache))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining(EmbeddedModel.ROOT + "unet/diffusion_pytorch_model.safetensors")
                    .hasMessageContaining("corrupted");
        }
        try (Stream<Path> left = Files.list(cache.resolve("embedded"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aTruncatedResourceIsNamed() throws IOException {
        Path model = model();
        UnaryOperator<byte[]> cut = b -> java.util.Arrays.copyOf(b, b.length / 2);
        try (URLClassLoader loader = jar(model, Map.of("unet/diffusion_pytorch_model.safetensors", cut))) {
            assertThatThrownBy(() -> EmbeddedModel.unpack(loader, dir.resolve("cache")))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("unet/diffusion_pytorch_model.safetensors")
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void theShippedModelWasTrainedOnThisVersionOfTheWorldAndUnpacksIntact() throws IOException {
        ClassLoader loader = EmbeddedModelTest.class.getClassLoader();
        var manifest = EmbeddedModel.manifest(loader);
        assertThat(manifest.path("world_version").asInt()).as("retrain the model when the world changes")
                .isEqualTo(World.VERSION);
        Path unpacked = EmbeddedModel.unpack(loader, dir.resolve("cache"));
        for (String part : new String[] {"model_index.json", "tokenizer/vocab.json", "text_encoder/config.json",
                "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "judge/model.safetensors", "scheduler/scheduler_config.json"}) {
            assertThat(unpacked.resolve(part)).as(part).isRegularFile();
        }
        assertThat(manifest.path("files").size()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void aClassPathWithoutTheModelSaysWhereItShips() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> EmbeddedModel.unpack(empty, dir))
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("perfusion-core's jar");
        }
    }
}
