package dev.perfusion.djl.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightStoreTest {

    @TempDir
    Path dir;

    @Test
    void tensorsLargerThanOnePartAreReadInWholeRowsAndEqualTheFile() throws IOException {
        float[] values = new float[7 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.37) * 100;
        }
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter()
                .addFloats("big", DType.F32, new long[] {7, 5}, values)
                .addFloats("half", DType.F16, new long[] {7, 5}, values)
                .write(file);
        long saved = WeightStore.chunkBytes;
        WeightStore.chunkBytes = 3 * 5 * 4;
        try (NDManager manager = NDManager.newBaseManager();
                WeightStore store = WeightStore.open(file, manager, KeyMap.prefixed(""))) {
            NDArray big = store.take("big", 7, 5);
            assertThat(big.toFloatArray()).containsExactly(values);
            NDArray half = store.take("half", 7, 5);
            float[] read = half.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertThat(read[i]).isCloseTo(values[i], offset(Math.abs(values[i]) / 1000 + 1e-3f));
            }
        } finally {
            WeightStore.chunkBytes = saved;
        }
    }

    @Test
    void rowsLargerThanOnePartAreRefusedWithTheTensorNamed() throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter().addFloats("wide", DType.F32, new long[] {2, 8}, new float[16]).write(file);
        long saved = WeightStore.chunkBytes;
        WeightStore.chunkBytes = 16;
        try (NDManager manager = NDManager.newBaseManager();
                WeightStore store = WeightStore.open(file, manager, KeyMap.prefixed(""))) {
            assertThatThrownBy(() -> store.take("wide", 2, 8))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("tensor 'wide' has rows of 32 bytes");
        } finally {
            WeightStore.chunkBytes = saved;
        }
    }

    @Test
    void aTensorHoldingNanOrInfinityIsRefusedWithItsNameAndCount() throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter()
                .addFloats("fine", DType.F32, new long[] {3}, new float[] {1, 2, 3})
                .addFloats("broken", DType.F16, new long[] {4}, new float[] {1, Float.NaN, 70000f, 2})
                .write(file);
        try (NDManager manager = NDManager.newBaseManager();
                WeightStore store = WeightStore.open(file, manager, KeyMap.prefixed(""))) {
            assertThat(store.take("fine", 3).toFloatArray()).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> store.take("broken", 4))
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining("w.safetensors")
                    .hasMessageContaining("tensor 'broken' holds 2 NaN or infinite values");
        }
    }
}
