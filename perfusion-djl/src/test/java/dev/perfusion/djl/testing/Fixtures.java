package dev.perfusion.djl.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;

/** The parity fixtures written by {@code src/test/python/make_fixtures.py}. */
public final class Fixtures {

    public static final Path ROOT = Path.of("src/test/resources/fixtures");
    public static final Path MODEL = ROOT.resolve("tiny-sd");
    public static final Path REFERENCE = ROOT.resolve("reference");

    private Fixtures() {
    }

    /** A reference tensor as an array (float32, or int64 for integer tensors). */
    public static NDArray array(NDManager m, SafeTensorsReader ref, String name) throws IOException {
        TensorInfo info = ref.tensor(name);
        return switch (info.dtype()) {
            case I64 -> m.create(ref.bytes(name), new Shape(info.shape()), DataType.INT64);
            default -> m.create(ref.readFloats(name), new Shape(info.shape()));
        };
    }

    /**
     * {@code max |a - b| / max |b|}: the error relative to the reference's scale, after asserting that both arrays
     * have the same shape, so that a broadcast or a truncated output cannot pass.
     */
    public static double maxRelativeError(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).as("shape of the result against the reference's").isEqualTo(expected.getShape());
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
        assertThat(a).as("values of the result against the reference's").hasSameSizeAs(e);
        assertThat(e).as("the reference is empty").isNotEmpty();
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        return worst / scale;
    }
}
