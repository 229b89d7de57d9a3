package dev.perfusion.djl.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.edit.CovarianceEstimator;
import dev.perfusion.core.edit.CovarianceInverse;
import dev.perfusion.core.edit.TextCovariance;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.pipeline.StableDiffusion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.ejml.data.DMatrixRMaj;

/**
 * A base model's text statistics: {@code C}, the uncentred covariance of its text encoder's outputs over a caption
 * corpus (every real token after the start token, up to and including the end token; padding excluded), estimated
 * once and cached on disk by the model's fingerprint, and {@code C^{-1}} with a small ridge.
 */
public final class TextStatistics {

    /** Prompts encoded per batch while estimating. */
    static final int BATCH = 64;

    private TextStatistics() {
    }

    /**
     * {@code C} of the model: read from {@code cache/covariance/<fingerprint>.safetensors}, or estimated from the
     * corpus and written there.
     *
     * @param corpusName recorded with the cached statistics
     */
    public static TextCovariance covariance(StableDiffusion model, Supplier<List<String>> corpus, String corpusName,
            Path cache, ProgressListener listener) throws IOException {
        Path file = cache.resolve("covariance").resolve(model.fingerprint() + ".safetensors");
        if (Files.isRegularFile(file)) {
            return read(file, model.textEncoder().config().hiddenSize());
        }
        TextCovariance estimated = estimate(model, corpus.get(), listener);
        Files.createDirectories(file.getParent());
        int d = estimated.dim();
        float[] values = new float[d * d];
        double[] data = estimated.matrix().data;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) data[i];
        }
        new SafeTensorsWriter().metadata("fingerprint", model.fingerprint()).metadata("corpus", corpusName)
                .metadata("count", Long.toString(estimated.count()))
                .addFloats("covariance", DType.F64, new long[] {d, d}, values).write(file);
        return read(file, d);
    }

    /** {@code C^{-1}} on the model's device, with the default ridge. */
    public static NDArray inverseOnDevice(TextCovariance covariance, NDManager manager) {
        CovarianceInverse inverse = covariance.inverse(TextCovariance.DEFAULT_RELATIVE_RIDGE);
        DMatrixRMaj m = inverse.matrix();
        float[] values = new float[m.data.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) m.data[i];
        }
        NDArray array = manager.create(values, new Shape(m.numRows, m.numCols));
        NDArray owned = array.duplicate();
        array.close();
        return owned;
    }

    /** Estimates {@code C} from a corpus. */
    public static TextCovariance estimate(StableDiffusion model, List<String> corpus, ProgressListener listener) {
        ClipTokenizer tokenizer = model.tokenizer();
        int width = model.textEncoder().config().hiddenSize();
        CovarianceEstimator estimator = new CovarianceEstimator(width);
        long start = System.nanoTime();
        try (NDManager m = model.textEncoder().parameters().values().iterator().next().getManager()
                .newSubManager()) {
            for (int from = 0; from < corpus.size(); from += BATCH) {
                List<String> batch = corpus.subList(from, Math.min(corpus.size(), from + BATCH));
                try (NDManager step = m.newSubManager()) {
                    float[] hidden = model.encodePrompts(step, batch).toFloatArray();
                    int length = ClipTokenizer.MAX_LENGTH;
                    for (int b = 0; b < batch.size(); b++) {
                        int end = tokenizer.endPosition(tokenizer.encode(batch.get(b)));
                        estimator.acceptRows(hidden, (b * length + 1) * width, end);
                    }
                }
                listener.onProgress(new Progress("text statistics", Math.min(corpus.size(), from + BATCH),
                        corpus.size(), Double.NaN, Duration.ofNanos(System.nanoTime() - start)));
            }
        }
        return estimator.result();
    }

    private static TextCovariance read(Path file, int width) throws IOException {
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            double[] values = reader.readDoubles("covariance");
            if (values.length != width * width) {
                throw new FileFormatException(file, "holds a covariance of " + values.length + " values, expected "
                        + width + "x" + width);
            }
            long count = Long.parseLong(reader.metadata().getOrDefault("count", "0"));
            return new TextCovariance(new DMatrixRMaj(width, width, true, values), count);
        }
    }
}
