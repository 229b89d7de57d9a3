package dev.perfusion.djl.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.core.safetensors.TensorInfo;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The original single-file layout, written by the fixture script and checked there by diffusers' own loader. */
class SingleFileCheckpointTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    static final Path CHECKPOINT = Fixtures.ROOT.resolve("tiny-sd-single-file.safetensors");

    @Test
    void singleFileLoadsToTheSameModelAsTheDiffusersFolder() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager();
                StableDiffusion folder = StableDiffusion.load(Fixtures.MODEL, m);
                StableDiffusion single = StableDiffusion.loadSingleFile(CHECKPOINT, Fixtures.MODEL, m);
                SafeTensorsReader unetRef = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("unet.safetensors"));
                SafeTensorsReader vaeRef = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("vae.safetensors"))) {
            NDArray text = folder.encodePrompts(m, List.of("a photo of a cat"));
            assertThat(single.encodePrompts(m, List.of("a photo of a cat")).contentEquals(text)).isTrue();

            NDArray latents = Fixtures.array(m, unetRef, "latents");
            NDArray timesteps = Fixtures.array(m, unetRef, "timesteps");
            NDArray context = Fixtures.array(m, unetRef, "encoder_hidden_states");
            assertThat(single.unet().forward(latents, timesteps, context)
                    .contentEquals(folder.unet().forward(latents, timesteps, context))).isTrue();

            NDArray image = Fixtures.array(m, vaeRef, "image");
            assertThat(single.vae().encode(image).mean().contentEquals(folder.vae().encode(image).mean())).isTrue();
            NDArray z = Fixtures.array(m, vaeRef, "latents");
            assertThat(single.vae().decode(z).contentEquals(folder.vae().decode(z))).isTrue();
        }
    }

    @Test
    void aCheckpointMissingATensorNamesItAndKeepsNothing(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.safetensors");
        String dropped = "model.diffusion_model.output_blocks.4.1.transformer_blocks.0.attn2.to_v.weight";
        copyWithout(CHECKPOINT, broken, dropped);

        try (NDManager m = ENGINE.manager().newSubManager()) {
            assertThatThrownBy(() -> StableDiffusion.loadSingleFile(broken, Fixtures.MODEL, m))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("has no tensor '" + dropped + "'");
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void aTruncatedCheckpointIsRejectedBeforeAnyWeightLoads(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(CHECKPOINT);
        Path truncated = Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(bytes, bytes.length / 2));
        try (NDManager m = ENGINE.manager().newSubManager()) {
            assertThatThrownBy(() -> StableDiffusion.loadSingleFile(truncated, Fixtures.MODEL, m))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("outside the");
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void aConfigThatDoesNotFitTheWeightsIsReportedPerTensor(@TempDir Path dir) throws IOException {
        Path components = dir.resolve("components");
        for (String part : List.of("tokenizer", "text_encoder", "unet", "vae", "scheduler")) {
            Files.createDirectories(components.resolve(part));
            try (var files = Files.list(Fixtures.MODEL.resolve(part))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".txt"))
                        .toList()) {
                    Files.copy(f, components.resolve(part).resolve(f.getFileName()));
                }
            }
        }
        Path unetConfig = components.resolve("unet/config.json");
        Files.writeString(unetConfig, Files.readString(unetConfig).replace("\"cross_attention_dim\": 32",
                "\"cross_attention_dim\": 48"));
        try (NDManager m = ENGINE.manager().newSubManager()) {
            assertThatThrownBy(() -> StableDiffusion.loadSingleFile(CHECKPOINT, components, m))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("attn2.to_k.weight' has shape (8, 32), expected (8, 48)");
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    private static void copyWithout(Path from, Path to, String dropped) throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensorsReader reader = SafeTensorsReader.open(from)) {
            for (TensorInfo t : reader.tensors().values()) {
                if (!t.name().equals(dropped)) {
                    byte[] data = new byte[(int) t.byteSize()];
                    reader.bytes(t.name()).get(data);
                    writer.add(t.name(), t.dtype(), t.shape(), data);
                }
            }
        }
        writer.write(to);
    }
}
