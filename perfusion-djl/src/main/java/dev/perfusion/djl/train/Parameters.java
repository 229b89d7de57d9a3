package dev.perfusion.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainable tensors of a model by their checkpoint names, in the order the model asked for them: what an
 * optimiser updates and a checkpoint saves. The arrays are the model's own, not copies.
 */
public final class Parameters {

    private final Map<String, NDArray> arrays;

    public Parameters(Map<String, NDArray> arrays) {
        if (arrays.isEmpty()) {
            throw new IllegalArgumentException("a model to train needs at least one parameter");
        }
        this.arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
    }

    public Map<String, NDArray> arrays() {
        return arrays;
    }

    /** Scalars in all parameters. */
    public long size() {
        return arrays.values().stream().mapToLong(NDArray::size).sum();
    }

    /** Marks every parameter as a leaf whose gradient backward passes accumulate. */
    public Parameters requireGradients() {
        arrays.values().forEach(a -> a.setRequiresGradient(true));
        return this;
    }

    /** The Euclidean norm of all gradients together. */
    public double gradientNorm() {
        double sum = 0;
        for (NDArray a : arrays.values()) {
            try (NDArray g = a.getGradient(); NDArray squares = g.square(); NDArray total = squares.sum()) {
                sum += total.getFloat();
            }
        }
        return Math.sqrt(sum);
    }

    /** Sets every gradient to zero. */
    public void zeroGradients() {
        for (NDArray a : arrays.values()) {
            try (NDArray g = a.getGradient()) {
                g.muli(0);
            }
        }
    }

    /** Writes the parameters as a safetensors file, atomically, in {@code dtype} (F32 or F16). */
    public void save(Path file, DType dtype) throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        arrays.forEach((name, a) -> writer.addFloats(name, dtype, a.getShape().getShape(), a.toFloatArray()));
        writer.write(file);
    }

    /** Copies values from a file holding every parameter under the same name and shape. */
    public void load(Path file) throws IOException {
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                String name = e.getKey();
                if (!reader.tensors().containsKey(name)) {
                    throw new FileFormatException(file, "has no parameter '" + name + "'");
                }
                long[] shape = reader.tensor(name).shape();
                if (!Arrays.equals(shape, e.getValue().getShape().getShape())) {
                    throw new FileFormatException(file, "parameter '" + name + "' has shape " + new Shape(shape)
                            + ", expected " + e.getValue().getShape());
                }
                e.getValue().set(reader.readFloats(name));
            }
        }
    }

    /** Copies of every parameter on {@code manager}, detached from any gradient. */
    public Parameters copy(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> {
            NDArray c = manager.create(a.toFloatArray(), a.getShape());
            out.put(name, c);
        });
        return new Parameters(out);
    }
}
