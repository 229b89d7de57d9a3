package dev.perfusion.core.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.core.io.FileFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header giving each tensor's dtype,
 * shape and byte range, then the data. The whole header is validated when the file is opened (lengths against the
 * file size, ranges inside the data and neither overlapping nor leaving gaps, sizes consistent with dtype and
 * shape), so no read allocates more than the file holds. Tensor data is read on demand.
 */
public final class SafeTensorsReader implements AutoCloseable {

    /** Headers above this size are refused, as by the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private SafeTensorsReader(Path file, FileChannel channel, long dataStart, Map<String, String> metadata,
            Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * Opens and validates a file.
     *
     * @throws FileFormatException when the file is not a well-formed safetensors file; the message says why
     */
    public static SafeTensorsReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new FileFormatException(file,
                        "file is " + size + " bytes, shorter than the 8-byte header length field");
            }
            ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthField, 0, file);
            long headerLength = lengthField.getLong(0);
            if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
                throw new FileFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " does not fit: the file has " + (size - 8) + " bytes after the length field (limit "
                        + MAX_HEADER_BYTES + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8, file);
            long dataStart = 8 + headerLength;
            JsonNode root = parseHeader(file, header.array());
            Map<String, String> metadata = new LinkedHashMap<>();
            List<TensorInfo> list = new ArrayList<>();
            for (Map.Entry<String, JsonNode> entry : root.properties()) {
                if (entry.getKey().equals("__metadata__")) {
                    metadata.putAll(parseMetadata(file, entry.getValue()));
                } else {
                    list.add(parseTensor(file, entry.getKey(), entry.getValue(), size - dataStart));
                }
            }
            checkLayout(file, list, size - dataStart);
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            list.forEach(t -> tensors.put(t.name(), t));
            return new SafeTensorsReader(file, channel, dataStart, Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableMap(tensors));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** The {@code __metadata__} entries. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor, in data order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** One tensor's entry, or an exception naming the file and the missing key. */
    public TensorInfo tensor(String name) throws FileFormatException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new FileFormatException(file, "has no tensor '" + name + "'");
        }
        return info;
    }

    /** The raw little-endian bytes of a tensor. */
    public ByteBuffer bytes(String name) throws IOException {
        TensorInfo info = tensor(name);
        if (info.byteSize() > Integer.MAX_VALUE - 8) {
            throw new FileFormatException(file, "tensor '" + name + "' is " + info.byteSize()
                    + " bytes, too large for one buffer; map it instead");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) info.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, buffer, dataStart + info.begin(), file);
        return buffer.flip();
    }

    /** A read-only, little-endian mapping of a tensor's bytes, for large weights; at most 2 GiB (see mapRange). */
    public ByteBuffer map(String name) throws IOException {
        TensorInfo info = tensor(name);
        return mapRange(name, 0, info.byteSize());
    }

    /**
     * A read-only, little-endian mapping of {@code length} bytes of a tensor from {@code offset}: how tensors over
     * 2 GiB, which one buffer cannot hold, are read in parts.
     */
    public ByteBuffer mapRange(String name, long offset, long length) throws IOException {
        TensorInfo info = tensor(name);
        if (offset < 0 || length < 0 || offset + length > info.byteSize() || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' of " + info.byteSize() + " bytes has no range of "
                    + length + " bytes at " + offset + " that one buffer can map");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin() + offset, length)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A floating-point tensor's values as floats (F16, BF16 and F64 are converted). */
    public float[] readFloats(String name) throws IOException {
        TensorInfo info = tensor(name);
        if (!info.dtype().isFloating()) {
            throw new FileFormatException(file, "tensor '" + name + "' has dtype " + info.dtype()
                    + ", expected a floating-point type");
        }
        ByteBuffer bytes = bytes(name);
        float[] out = new float[(int) info.elements()];
        switch (info.dtype()) {
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float16.toFloat(bytes.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float16.bfloat16ToFloat(bytes.getShort());
                }
            }
            case F32 -> bytes.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) bytes.getDouble();
                }
            }
            default -> throw new AssertionError(info.dtype());
        }
        return out;
    }

    /** A floating-point tensor's values as doubles (F64 exactly; narrower types widened). */
    public double[] readDoubles(String name) throws IOException {
        TensorInfo info = tensor(name);
        if (info.dtype() == DType.F64) {
            double[] out = new double[(int) info.elements()];
            bytes(name).asDoubleBuffer().get(out);
            return out;
        }
        float[] floats = readFloats(name);
        double[] out = new double[floats.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = floats[i];
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException(file + ": ended at byte " + at + " while reading");
            }
            at += n;
        }
    }

    private static JsonNode parseHeader(Path file, byte[] header) throws FileFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(file, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FileFormatException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FileFormatException(file, "header is not a JSON object");
        }
        return root;
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws FileFormatException {
        if (!node.isObject()) {
            throw new FileFormatException(file, "__metadata__ is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new FileFormatException(file, "__metadata__ entry '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataSize)
            throws FileFormatException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new FileFormatException(file, where + " is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new FileFormatException(file, where + " has no dtype string");
        }
        DType dtype = DType.byName(dtypeNode.textValue()).orElseThrow(() -> new FileFormatException(file,
                where + " has unknown dtype '" + dtypeNode.textValue() + "'"));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new FileFormatException(file, where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.longValue() < 0) {
                throw new FileFormatException(file, where + " has an invalid dimension " + d + " in its shape");
            }
            shape[i] = d.longValue();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber() || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw new FileFormatException(file, where + " needs data_offsets [begin, end] of two integers");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new FileFormatException(file, where + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataSize + " bytes of data");
        }
        long expected;
        try {
            long elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            expected = Math.multiplyExact(elements, dtype.size());
        } catch (ArithmeticException e) {
            throw new FileFormatException(file, where + " has a shape too large to address");
        }
        if (end - begin != expected) {
            throw new FileFormatException(file, where + ": dtype " + dtype + " with shape "
                    + java.util.Arrays.toString(shape) + " needs " + expected + " bytes but its offsets span "
                    + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkLayout(Path file, List<TensorInfo> tensors, long dataSize) throws FileFormatException {
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : tensors) {
            if (t.begin() < covered) {
                throw new FileFormatException(file, "tensors '" + previous.name() + "' and '" + t.name()
                        + "' overlap: bytes " + t.begin() + " to " + covered + " belong to both");
            }
            if (t.begin() > covered) {
                throw new FileFormatException(file, "data bytes " + covered + " to " + t.begin()
                        + " belong to no tensor");
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataSize) {
            throw new FileFormatException(file, "data bytes " + covered + " to " + dataSize
                    + " belong to no tensor");
        }
    }
}
