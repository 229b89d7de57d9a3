package dev.perfusion.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsReaderTest {

    @TempDir
    Path dir;

    @Test
    void writtenTensorsReadBackWithTheirMetadataDtypesAndShapes() throws IOException {
        Path file = dir.resolve("t.safetensors");
        new SafeTensorsWriter()
                .metadata("k", "v")
                .addFloats("a", DType.F32, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .addFloats("b", DType.F16, new long[] {2}, new float[] {0.5f, -3f})
                .addFloats("c", DType.BF16, new long[] {1}, new float[] {2f})
                .addFloats("d", DType.F64, new long[] {}, new float[] {7f})
                .write(file);

        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            assertThat(r.metadata()).containsExactly(java.util.Map.entry("k", "v"));
            assertThat(r.tensors().keySet()).containsExactly("a", "b", "c", "d");
            assertThat(r.tensor("a").shape()).containsExactly(2, 3);
            assertThat(r.readFloats("a")).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(r.readFloats("b")).containsExactly(0.5f, -3f);
            assertThat(r.readFloats("c")).containsExactly(2f);
            assertThat(r.readFloats("d")).containsExactly(7f);
            assertThat(r.map("a").getFloat(4)).isEqualTo(2f);
            assertThatThrownBy(() -> r.tensor("zz")).hasMessageContaining("has no tensor 'zz'");
        }
        assertThat((Files.size(file) - 8 - 24 - 4 - 2 - 8) % 8).isZero();
    }

    @Test
    void fileShorterThanTheLengthFieldIsRejected() throws IOException {
        assertRejected(new byte[5], "file is 5 bytes, shorter than the 8-byte header length field");
    }

    @Test
    void headerLengthBeyondTheFileIsRejectedBeforeAnyAllocation() throws IOException {
        assertRejected(file(1L << 40, "{}", new byte[0]), "header length 1099511627776 does not fit");
        assertRejected(file(-1L, "{}", new byte[0]), "header length 18446744073709551615 does not fit");
    }

    @Test
    void truncatedDataIsRejected() throws IOException {
        byte[] whole = new SafeTensorsWriter()
                .addFloats("a", DType.F32, new long[] {4}, new float[] {1, 2, 3, 4}).toBytes();
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertRejected(truncated, "tensor 'a' has data_offsets [0, 16] outside the 13 bytes of data");
    }

    @Test
    void offsetsOutOfRangeAreRejected() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[4]),
                "tensor 'a' has data_offsets [4, 8] outside the 4 bytes of data");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]),
                "data_offsets [4, 0]");
    }

    @Test
    void overlappingTensorsAreRejected() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensors 'a' and 'b' overlap: bytes 4 to 8 belong to both");
    }

    @Test
    void bytesBelongingToNoTensorAreRejected() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}}", new byte[8]),
                "data bytes 0 to 4 belong to no tensor");
    }

    @Test
    void byteSizeInconsistentWithDtypeAndShapeIsRejected() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'a': dtype F32 with shape [4] needs 16 bytes but its offsets span 8");
    }

    @Test
    void shapesTooLargeToAddressAreRejected() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", new byte[8]), "tensor 'a' has a shape too large to address");
    }

    @Test
    void malformedHeadersAreRejectedWithTheReason() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "tensor 'a' has unknown dtype 'F8'");
        assertRejected(file("[1,2]", new byte[0]), "header is not a JSON object");
        assertRejected(file("{\"a\":", new byte[0]), "header is not valid JSON");
        assertRejected(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "Duplicate field 'a'");
        assertRejected(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", new byte[1]),
                "invalid dimension -1");
        assertRejected(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "entry 'k' is not a string");
    }

    @Test
    void integerTensorsAreNotReadAsFloats() throws IOException {
        Path f = dir.resolve("i.safetensors");
        new SafeTensorsWriter().add("ids", DType.I64, new long[] {1}, new byte[8]).write(f);
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            assertThatThrownBy(() -> r.readFloats("ids")).hasMessageContaining("dtype I64, expected a floating");
        }
    }

    private void assertRejected(byte[] content, String message) throws IOException {
        Path f = Files.write(dir.resolve("bad.safetensors"), content);
        assertThatThrownBy(() -> SafeTensorsReader.open(f).close())
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining(message);
    }

    static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    static byte[] file(long declaredLength, String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredLength).put(json).put(data).array();
    }
}
