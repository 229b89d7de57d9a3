package dev.perfusion.djl.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tensors of one checkpoint file, handed out by key with their shape checked, so a model is built only from
 * weights that fit its config. Tensor bytes are mapped from the file and copied once into the engine; F16 and BF16
 * weights become float32. A {@link KeyMap} translates the model's names to the file's (a prefix, or the original
 * single-file layout). {@link #requireAllUsed} lists the component's keys no layer asked for.
 */
public final class WeightStore implements Weights, AutoCloseable {

    private final SafeTensorsReader reader;
    private final NDManager manager;
    private final KeyMap keys;
    private final Set<String> used = new HashSet<>();

    private WeightStore(SafeTensorsReader reader, NDManager manager, KeyMap keys) {
        this.reader = reader;
        this.manager = manager;
        this.keys = keys;
    }

    /** Opens a safetensors file whose names {@code keys} translates; arrays are created on {@code manager}. */
    public static WeightStore open(Path file, NDManager manager, KeyMap keys) throws IOException {
        return new WeightStore(SafeTensorsReader.open(file), manager, keys);
    }

    /** Builds a model from the tensors of a store. */
    @FunctionalInterface
    public interface Builder<T> {
        T build(Weights store, NDManager manager) throws IOException;
    }

    /**
     * Builds a model from {@code file} in a new sub-manager of {@code parent}, then checks that every tensor of the
     * component was used. On any failure the sub-manager is closed, so nothing of the partial model is kept.
     *
     * @param ignoredSuffixes keys that may be left unused, such as buffers
     */
    public static <T> T load(Path file, NDManager parent, KeyMap keys, List<String> ignoredSuffixes,
            Builder<T> builder) throws IOException {
        NDManager manager = parent.newSubManager();
        try (WeightStore store = open(file, manager, keys)) {
            T model = builder.build(store, manager);
            store.requireAllUsed(ignoredSuffixes);
            return model;
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The weight file of a diffusers component folder: {@code <name>.safetensors}, or its {@code fp16} variant
     * {@code <name>.fp16.safetensors} when only that exists.
     */
    public static Path componentFile(Path folder, String name) {
        Path full = folder.resolve(name + ".safetensors");
        Path half = folder.resolve(name + ".fp16.safetensors");
        return !Files.exists(full) && Files.exists(half) ? half : full;
    }

    public Path file() {
        return reader.file();
    }

    /** Whether the checkpoint has a tensor under {@code key}. */
    @Override
    public boolean contains(String key) {
        return reader.tensors().containsKey(keys.fileKey(key));
    }

    /**
     * The float32 tensor under {@code key}, which must have {@code shape}.
     *
     * @throws FileFormatException naming the key when it is missing or has another shape or a non-float dtype
     */
    @Override
    public NDArray take(String key, long... shape) throws FileFormatException {
        String full = keys.fileKey(key);
        TensorInfo info = reader.tensors().get(full);
        if (info == null) {
            throw new FileFormatException(reader.file(), "has no tensor '" + full + "' (expected shape "
                    + new Shape(shape) + ")");
        }
        long[] stored = keys.storedAsConv1x1(key) && shape.length == 2 ? new long[] {shape[0], shape[1], 1, 1} : shape;
        if (!java.util.Arrays.equals(info.shape(), stored)) {
            throw new FileFormatException(reader.file(), "tensor '" + full + "' has shape "
                    + new Shape(info.shape()) + ", expected " + new Shape(stored) + " from the model's config");
        }
        DataType type = switch (info.dtype()) {
            case F32 -> DataType.FLOAT32;
            case F16 -> DataType.FLOAT16;
            case BF16 -> DataType.BFLOAT16;
            case F64 -> DataType.FLOAT64;
            default -> throw new FileFormatException(reader.file(), "tensor '" + full + "' has dtype "
                    + info.dtype() + ", expected a floating-point type");
        };
        NDArray array;
        try {
            array = read(full, info, new Shape(shape), type);
        } catch (FileFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new FileFormatException(reader.file(), "tensor '" + full + "' could not be read", e);
        }
        used.add(full);
        NDArray floats = type == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        if (CHECK_FINITE) {
            requireFinite(full, floats);
        }
        return floats;
    }

    /** Whether every weight is checked for NaN and infinity as it loads; {@code -Dperfusion.checkWeights=false}. */
    static final boolean CHECK_FINITE = !"false".equals(System.getProperty("perfusion.checkWeights"));
    /** Tensors larger than this are read in parts of whole rows (one buffer holds at most 2 GiB). */
    static long chunkBytes = 1L << 30;

    private NDArray read(String key, TensorInfo info, Shape shape, DataType type) throws IOException {
        long bytes = info.byteSize();
        if (bytes <= chunkBytes || shape.dimension() == 0) {
            return manager.create(reader.map(key), shape, type);
        }
        long rowBytes = bytes / shape.get(0);
        if (rowBytes > chunkBytes) {
            throw new FileFormatException(reader.file(), "tensor '" + key + "' has rows of " + rowBytes
                    + " bytes, more than one part of " + chunkBytes + " can hold");
        }
        long rowsPerPart = chunkBytes / rowBytes;
        NDList parts = new NDList();
        for (long row = 0; row < shape.get(0); row += rowsPerPart) {
            long rows = Math.min(rowsPerPart, shape.get(0) - row);
            parts.add(manager.create(reader.mapRange(key, row * rowBytes, rows * rowBytes),
                    new Shape(rows).addAll(shape.slice(1)), type));
        }
        NDArray whole = NDArrays.concat(parts, 0);
        parts.close();
        return whole;
    }

    private void requireFinite(String key, NDArray array) throws FileFormatException {
        try (NDArray nan = array.isNaN(); NDArray infinite = array.isInfinite();
                NDArray bad = nan.logicalOr(infinite); NDArray count = bad.countNonzero()) {
            long n = count.getLong();
            if (n > 0) {
                throw new FileFormatException(reader.file(), "tensor '" + key + "' holds " + n
                        + " NaN or infinite values (a corrupted or overflowed checkpoint; load with "
                        + "-Dperfusion.checkWeights=false to skip this check)");
            }
        }
    }

    /**
     * Fails when the checkpoint holds tensors no layer took, other than those ending with one of
     * {@code ignoredSuffixes} (buffers such as {@code position_ids}).
     */
    public void requireAllUsed(List<String> ignoredSuffixes) throws FileFormatException {
        Set<String> unused = new TreeSet<>();
        for (Map.Entry<String, TensorInfo> e : reader.tensors().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(keys.scope()) && !used.contains(key)
                    && ignoredSuffixes.stream().noneMatch(key::endsWith)) {
                unused.add(key);
            }
        }
        if (!unused.isEmpty()) {
            List<String> shown = new ArrayList<>(unused).subList(0, Math.min(unused.size(), 10));
            throw new FileFormatException(reader.file(), unused.size()
                    + " tensors" + (keys.scope().isEmpty() ? "" : " under '" + keys.scope() + "'")
                    + " do not belong to the model its config describes, such as " + shown);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
