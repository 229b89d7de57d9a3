package dev.perfusion.core.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects tensors and metadata, then writes them as one safetensors file, atomically. Tensors are laid out in
 * the order they were added; the header is padded with spaces to a multiple of 8 bytes.
 */
public final class SafeTensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(DType dtype, long[] shape, byte[] data) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} entry. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor from its raw little-endian bytes. */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, byte[] data) {
        if (name.equals("__metadata__") || tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already used");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (elements * dtype.size() != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " with " + elements
                    + " elements needs " + elements * dtype.size() + " bytes, got " + data.length);
        }
        tensors.put(name, new Entry(dtype, shape.clone(), data.clone()));
        return this;
    }

    /** Adds a floating-point tensor, converting the values to {@code dtype} (F16, BF16, F32 or F64). */
    public SafeTensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F16 -> {
                for (float v : values) {
                    buffer.putShort(Float16.fromFloat(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    buffer.putShort(Float16.floatToBfloat16(v));
                }
            }
            case F32 -> buffer.asFloatBuffer().put(values);
            case F64 -> {
                for (float v : values) {
                    buffer.putDouble(v);
                }
            }
            default -> throw new IllegalArgumentException("addFloats cannot write dtype " + dtype);
        }
        return add(name, dtype, shape, buffer.array());
    }

    /** The complete file content. */
    public byte[] toBytes() {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape) {
                shape.add(d);
            }
            long end = offset + e.getValue().data.length;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        tensors.values().forEach(e -> out.put(e.data));
        return out.array();
    }

    /** Writes the file atomically: an existing file is replaced only once the new one is complete. */
    public void write(Path file) throws IOException {
        byte[] bytes = toBytes();
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
