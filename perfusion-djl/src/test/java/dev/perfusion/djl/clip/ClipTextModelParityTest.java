package dev.perfusion.djl.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Hidden states against transformers' CLIPTextModel on the fixture weights. */
class ClipTextModelParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    @Test
    void hiddenStatesMatchTheReference() throws IOException {
        try (ClipTextModel model = ClipTextModel.load(Fixtures.MODEL.resolve("text_encoder"), ENGINE.manager());
                SafeTensorsReader ref = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("text_encoder.safetensors"));
                NDManager m = ENGINE.manager().newSubManager()) {
            NDArray ids = Fixtures.array(m, ref, "input_ids");
            NDArray expected = Fixtures.array(m, ref, "last_hidden_state");

            NDArray actual = model.forward(ids);

            assertThat(actual.getShape()).isEqualTo(expected.getShape());
            assertThat(Fixtures.maxRelativeError(actual, expected)).isLessThan(1e-4);
        }
    }

    @Test
    void aMisshapenTensorNamesItselfAndNothingIsKept(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("text_encoder");
        Files.createDirectories(folder);
        Files.copy(Fixtures.MODEL.resolve("text_encoder/config.json"), folder.resolve("config.json"));
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensorsReader source = SafeTensorsReader.open(
                Fixtures.MODEL.resolve("text_encoder/model.safetensors"))) {
            for (var t : source.tensors().values()) {
                long[] shape = t.name().equals("encoder.layers.1.mlp.fc1.weight") ? new long[] {36, 32} : t.shape();
                float[] values = java.util.Arrays.copyOf(source.readFloats(t.name()),
                        (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b));
                writer.addFloats(t.name(), DType.F32, shape, values);
            }
        }
        writer.write(folder.resolve("model.safetensors"));

        try (NDManager m = ENGINE.manager().newSubManager()) {
            assertThatThrownBy(() -> ClipTextModel.load(folder, m))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("tensor 'encoder.layers.1.mlp.fc1.weight' has shape (36, 32), "
                            + "expected (37, 32)");
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }
}
