package dev.perfusion.examples;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.Gate;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.edit.CovarianceEstimator;
import dev.perfusion.core.edit.CovarianceInverse;
import dev.perfusion.core.edit.EditTarget;
import dev.perfusion.core.edit.GatedRankOneEdit;
import dev.perfusion.core.edit.KeyLock;
import dev.perfusion.core.edit.TextCovariance;
import dev.perfusion.core.fidelity.ConceptGates;
import dev.perfusion.core.fidelity.FidelityResolver;
import dev.perfusion.core.prompt.ConceptPrompt;
import dev.perfusion.core.prompt.PromptParser;
import dev.perfusion.djl.DjlRuntime;
import dev.perfusion.djl.edit.GatedProjection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Walks a concept through everything the SDK does without a text-to-image model: on SD 1.5's true shapes (768-wide
 * text encodings, 16 cross-attention layers) with random projection weights and a synthetic text-encoding
 * distribution, it estimates the text covariance, builds a key-locked concept, saves and reloads its
 * {@code .perfusion} file, parses a prompt that uses it, and sweeps its {@link FidelityControl} through the DJL
 * backend's gated projections, printing how the concept token's keys and values move.
 */
@Command(name = "key-lock-demo", mixinStandardHelpOptions = true,
        description = "Build a key-locked concept on SD 1.5 shapes and sweep its fidelity on the DJL backend.")
public final class KeyLockDemo implements Callable<Integer> {

    private static final int WIDTH = 768;
    private static final int[] LAYER_WIDTHS = {320, 320, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280, 640, 640,
            640, 320, 320, 320};

    @Option(names = "--out", description = "Folder for the concept file (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "demo");

    @Option(names = "--captions", description = "Synthetic caption tokens for the covariance (default: ${DEFAULT-VALUE}).")
    int captionTokens = 40_000;

    @Option(names = "--seed", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--prompt", description = "Prompt using the concept (default: ${DEFAULT-VALUE}).")
    String prompt = "a photo of <tom> sleeping on a sofa";

    @Option(names = "--model", description = "A diffusers Stable Diffusion folder: also generate images with it.")
    Path model;

    @Option(names = "--steps", description = "Sampling steps with --model (default: ${DEFAULT-VALUE}).")
    int steps = 20;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KeyLockDemo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (Perfusion perfusion = Perfusion.builder().device(BackendOptions.DevicePreference.AUTO)
                .open(BaseModel.embedded())) {
            System.out.printf("backend %s on %s%n", perfusion.backendName(), perfusion.device());
        }
        TextWorld world = new TextWorld(seed);

        CovarianceInverse inverse = estimateCovariance(world);
        System.out.printf("C^-1 from %,d tokens, ridge %.2e (relative %.0e)%n", captionTokens, inverse.ridge(),
                inverse.relativeRidge());

        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < LAYER_WIDTHS.length; l++) {
            layers.add(new Layer("unet.cross_attention." + l, world.projection(LAYER_WIDTHS[l]),
                    world.projection(LAYER_WIDTHS[l])));
        }
        Concept tom = buildConcept(world, layers);

        Files.createDirectories(out);
        Path file = out.resolve(tom.name() + ConceptFile.SUFFIX);
        ConceptFile.write(tom, file);
        Concept reloaded = ConceptFile.read(file);
        System.out.printf("wrote %s: %,d bytes; reloaded, largest fp16 rounding %.1e relative; re-encoding %s%n",
                file, Files.size(file), largestRounding(tom, reloaded),
                java.util.Arrays.equals(ConceptFile.toBytes(reloaded, ConceptFile.Precision.FP16),
                        Files.readAllBytes(file)) ? "bit-identical" : "DIFFERENT");

        ConceptPrompt parsed = PromptParser.parse(prompt, List.of(reloaded));
        System.out.printf("prompt \"%s\" -> supercategory prompt \"%s\"%n", prompt, parsed.withSupercategories());
        float[][] tokens = world.encodePrompt(parsed, reloaded);

        sweep(reloaded, layers, inverse, tokens, parsed);
        if (model != null) {
            generate(parsed.withSupercategories());
        }
        return 0;
    }

    private void generate(String text) throws java.io.IOException {
        try (Perfusion perfusion = Perfusion.open(BaseModel.diffusers(model));
                ProgressBar bar = new ProgressBarBuilder().setTaskName("sampling").setInitialMax(steps)
                        .setStyle(ProgressBarStyle.ASCII).build()) {
            var result = perfusion.generator().prompt(text).negativePrompt("blurry").steps(steps).seed(seed)
                    .batch(2).listener(p -> bar.stepTo(p.step())).generate();
            for (var image : result.images()) {
                Path png = out.resolve("sample-seed" + image.seed() + ".png");
                javax.imageio.ImageIO.write(image.toBufferedImage(), "png", png.toFile());
                System.out.printf("%nwrote %s (%dx%d)", png, image.width(), image.height());
            }
            System.out.printf("%ngenerated %d images in %d ms on %s%n", result.images().size(),
                    result.elapsed().toMillis(), perfusion.device());
        }
    }

    private CovarianceInverse estimateCovariance(TextWorld world) {
        CovarianceEstimator estimator = new CovarianceEstimator(WIDTH);
        int block = 500;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("text statistics").setInitialMax(captionTokens)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" tok", 1).build()) {
            for (int done = 0; done < captionTokens; done += block) {
                int n = Math.min(block, captionTokens - done);
                estimator.acceptRows(world.tokens(n), 0, n);
                bar.stepBy(n);
            }
        }
        return estimator.result().inverse(TextCovariance.DEFAULT_RELATIVE_RIDGE);
    }

    private static Concept buildConcept(TextWorld world, List<Layer> layers) {
        float[] iSuper = world.supercategory();
        float[] iStar = world.nearby(iSuper, 0.8);
        Concept.Builder b = Concept.builder().name("tom").supercategory("cat").baseModel("demo:sd15-shapes-random")
                .tokenEmbedding(world.tokens(1)).conceptInput(iStar).supercategoryInput(iSuper)
                .training(Map.of("source", "synthetic demo", "seed", Long.toString(world.seed)));
        for (Layer layer : layers) {
            double[] superValue = KeyLock.target(layer.value, toDouble(iSuper));
            float[] identity = world.floats(superValue.length, 0.6 * norm(superValue) / Math.sqrt(superValue.length));
            float[] target = new float[superValue.length];
            for (int i = 0; i < target.length; i++) {
                target[i] = (float) superValue[i] + identity[i];
            }
            b.valueTarget(layer.name, target);
        }
        return b.build();
    }

    private static void sweep(Concept tom, List<Layer> layers, CovarianceInverse inverse, float[][] tokens,
            ConceptPrompt parsed) {
        int conceptToken = conceptTokenIndex(parsed);
        FidelityResolver resolver = new FidelityResolver();
        System.out.println();
        System.out.println("reach = <output at <tom>, target> / |target|^2, averaged over the 16 layers; "
                + "moved = largest relative change of another token's value");
        System.out.println("fidelity | beta  | gate at s=1 | value reach o*_v | key reach W_k i_s | others moved");
        System.out.println("---------+-------+-------------+------------------+-------------------+-------------");
        try (NDManager manager = DjlRuntime.engine().newBaseManager()) {
            for (double fidelity = 0; fidelity <= 1.0001; fidelity += 0.25) {
                ConceptGates gates = resolver.resolve(List.of(tom), List.of(FidelityControl.of(tom, fidelity)))
                        .get(0);
                Row row = new Row();
                for (Layer layer : layers) {
                    double[] keyTarget = KeyLock.target(layer.key, toDouble(tom.supercategoryInput()));
                    double[] valueTarget = toDouble(tom.valueTarget(layer.name));
                    float[][] keys = project(manager, layer.key, inverse, tom, keyTarget, gates.key(), tokens);
                    float[][] values = project(manager, layer.value, inverse, tom, valueTarget, gates.value(),
                            tokens);
                    float[][] plainValues = project(manager, layer.value, null, tom, null, null, tokens);
                    row.valueReach += reach(values[conceptToken], valueTarget) / layers.size();
                    row.keyReach += reach(keys[conceptToken], keyTarget) / layers.size();
                    for (int t = 0; t < tokens.length; t++) {
                        if (t != conceptToken) {
                            row.leak = Math.max(row.leak, relativeChange(values[t], plainValues[t]));
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "  %4.2f   | %.3f |    %.3f    |      %.3f       |       %.3f       |  %.2e%n",
                        fidelity, gates.value().bias(), gates.value().weight(1.0), row.valueReach, row.keyReach,
                        row.leak);
            }
        }
    }

    private static final class Row {
        double valueReach;
        double keyReach;
        double leak;
    }

    private static float[][] project(NDManager parent, DMatrixRMaj w, CovarianceInverse inverse, Concept concept,
            double[] target, Gate gate, float[][] tokens) {
        try (NDManager m = parent.newSubManager()) {
            var weight = m.create(toFloat(w.data), new Shape(w.numRows, w.numCols));
            dev.perfusion.djl.nn.Projection projection = inverse == null
                    ? x -> ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                    : GatedProjection.of(m, weight, GatedRankOneEdit.of(w, inverse,
                            List.of(new EditTarget(toDouble(concept.conceptInput()), target, gate)),
                            MultiConceptMode.EXACT).plan());
            float[] flat = new float[tokens.length * WIDTH];
            for (int t = 0; t < tokens.length; t++) {
                System.arraycopy(tokens[t], 0, flat, t * WIDTH, WIDTH);
            }
            float[] result = projection.forward(m.create(flat, new Shape(tokens.length, WIDTH))).toFloatArray();
            float[][] rows = new float[tokens.length][w.numRows];
            for (int t = 0; t < tokens.length; t++) {
                System.arraycopy(result, t * w.numRows, rows[t], 0, w.numRows);
            }
            return rows;
        }
    }

    private static double largestRounding(Concept written, Concept read) {
        double worst = 0;
        for (String layer : written.layers()) {
            float[] a = written.valueTarget(layer);
            float[] b = read.valueTarget(layer);
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-3));
            }
        }
        return worst;
    }

    private static int conceptTokenIndex(ConceptPrompt parsed) {
        int index = 0;
        for (ConceptPrompt.Segment s : parsed.segments()) {
            if (s instanceof ConceptPrompt.Reference) {
                return index;
            }
            index += ((ConceptPrompt.Text) s).text().strip().split("\\s+").length;
        }
        throw new IllegalStateException("the prompt does not use the concept");
    }

    private static double reach(float[] output, double[] target) {
        double dot = 0;
        double norm = 0;
        for (int i = 0; i < output.length; i++) {
            dot += output[i] * target[i];
            norm += target[i] * target[i];
        }
        return dot / norm;
    }

    private static double relativeChange(float[] a, float[] b) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            n += b[i] * b[i];
        }
        return Math.sqrt(d / n);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    /** A cross-attention layer's key and value projections, shape (width, 768). */
    private record Layer(String name, DMatrixRMaj key, DMatrixRMaj value) {
    }

    /**
     * A stand-in for a text encoder's output distribution: tokens are mixtures of a few dozen shared "topic"
     * directions plus noise, so the covariance is anisotropic like CLIP's.
     */
    private static final class TextWorld {
        final long seed;
        final SplittableRandom random;
        final double[][] topics;

        TextWorld(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            this.topics = new double[48][WIDTH];
            for (double[] topic : topics) {
                for (int j = 0; j < WIDTH; j++) {
                    topic[j] = gaussian();
                }
            }
        }

        double gaussian() {
            double u = 1.0 - random.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        }

        float[] floats(int n, double scale) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (scale * gaussian());
            }
            return v;
        }

        float[] tokens(int count) {
            float[] rows = new float[count * WIDTH];
            for (int r = 0; r < count; r++) {
                for (int k = 0; k < topics.length; k++) {
                    double z = gaussian() * 2.0 / (1 + 0.2 * k);
                    for (int j = 0; j < WIDTH; j++) {
                        rows[r * WIDTH + j] += (float) (z * topics[k][j]);
                    }
                }
                for (int j = 0; j < WIDTH; j++) {
                    rows[r * WIDTH + j] += (float) (0.5 * gaussian());
                }
            }
            return rows;
        }

        float[] supercategory() {
            return tokens(1);
        }

        /** A token like {@code base}, moved by {@code amount} of a typical token. */
        float[] nearby(float[] base, double amount) {
            float[] other = tokens(1);
            float[] out = new float[WIDTH];
            for (int j = 0; j < WIDTH; j++) {
                out[j] = (float) (base[j] + amount * other[j]);
            }
            return out;
        }

        DMatrixRMaj projection(int rows) {
            DMatrixRMaj m = new DMatrixRMaj(rows, WIDTH);
            double scale = 1.0 / Math.sqrt(WIDTH) / 10;
            for (int i = 0; i < m.data.length; i++) {
                m.data[i] = gaussian() * scale;
            }
            return m;
        }

        /** One encoding per word; the concept's word is its i* seen in a slightly different context. */
        float[][] encodePrompt(ConceptPrompt parsed, Concept concept) {
            List<float[]> out = new ArrayList<>();
            for (ConceptPrompt.Segment s : parsed.segments()) {
                if (s instanceof ConceptPrompt.Reference) {
                    float[] iStar = concept.conceptInput();
                    float[] context = tokens(1);
                    for (int j = 0; j < WIDTH; j++) {
                        iStar[j] += 0.05f * context[j];
                    }
                    out.add(iStar);
                } else {
                    for (String word : ((ConceptPrompt.Text) s).text().strip().split("\\s+")) {
                        if (!word.isEmpty()) {
                            out.add(tokens(1));
                        }
                    }
                }
            }
            return out.toArray(float[][]::new);
        }
    }
}
