package dev.perfusion.core.eval;

import dev.perfusion.Perfusion;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.Generator;
import dev.perfusion.api.Judge;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Walks a concept's trade-off between likeness and prompt obedience: renders a grid of settings of its knob (fidelity
 * levels or explicit gates) by prompts by seeds, and scores each image with a judge, as the paper measures: image
 * similarity (mean cosine of the image's embedding with each of the concept's own images) and text similarity
 * (cosine with the prompt's text, the supercategory word in the concept's place). Returns every point, each
 * setting's means with 95% confidence intervals, and the Pareto-optimal settings.
 */
public final class FidelitySweep {

    /**
     * One setting of the knob.
     *
     * @param label   how tables and plots name it
     * @param x       its position on the knob, for ordering (the fidelity level)
     * @param control the control to generate with; empty for the concept's stored gates
     */
    public record Setting(String label, double x, Optional<FidelityControl> control) {

        public Setting {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(control, "control");
        }

        /** Fidelity levels {@code 0, 1/(n-1), ..., 1} of a concept. */
        public static List<Setting> levels(Concept concept, int n) {
            List<Setting> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double f = n == 1 ? 0.5 : (double) i / (n - 1);
                out.add(new Setting(String.format(java.util.Locale.ROOT, "fidelity %.2f", f), f,
                        Optional.of(FidelityControl.of(concept, f))));
            }
            return out;
        }
    }

    /**
     * One image's scores.
     *
     * @param setting         the setting's label
     * @param prompt          the prompt template, {@code {}} for the concept
     * @param seed            the image's seed
     * @param imageSimilarity likeness to the concept's images
     * @param textSimilarity  agreement with the prompt
     */
    public record Point(String setting, String prompt, long seed, double imageSimilarity, double textSimilarity) {
    }

    /**
     * A setting's means.
     *
     * @param setting     its label
     * @param x           its position on the knob
     * @param image       mean image similarity
     * @param imageCi     half-width of its 95% confidence interval
     * @param text        mean text similarity
     * @param textCi      half-width of its 95% confidence interval
     * @param n           points
     */
    public record Summary(String setting, double x, double image, double imageCi, double text, double textCi,
            int n) {

        /** Whether this summary is at least as good on both measures and better on one. */
        public boolean dominates(Summary other) {
            return image >= other.image && text >= other.text && (image > other.image || text > other.text);
        }
    }

    /**
     * How much better one setting scores than another on the same prompts and seeds: the mean of the per-image
     * differences, with 95% confidence intervals. Pairing removes the prompt-to-prompt spread that makes the
     * settings' own intervals wide, so this is the test to apply before calling one setting better than another.
     *
     * @param better  the setting whose scores are taken first
     * @param worse   the setting subtracted
     * @param image   mean image-similarity difference
     * @param imageCi half-width of its 95% confidence interval
     * @param text    mean text-similarity difference
     * @param textCi  half-width of its 95% confidence interval
     * @param n       pairs (images with the same prompt and seed in both settings)
     */
    public record PairedDifference(String better, String worse, double image, double imageCi, double text,
            double textCi, int n) {

        /**
         * Whether {@code better} dominates {@code worse} in the means and the gain is beyond chance on at least one
         * measure (its interval excludes zero).
         */
        public boolean significantlyDominates() {
            boolean dominates = image >= 0 && text >= 0 && (image > 0 || text > 0);
            return dominates && (image - imageCi > 0 || text - textCi > 0);
        }

        /** The differences with their intervals, for a report: "paired over 16 images: image +0.043 +- 0.063, ...". */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "paired over %d images: image %+.3f +- %.3f, text %+.3f +- "
                    + "%.3f", n, image, imageCi, text, textCi);
        }
    }

    /**
     * A sweep's outcome.
     *
     * @param concept  the concept's name
     * @param points   every image's scores, by setting, then prompt, then seed
     * @param settings each setting's means, in setting order
     * @param pareto   the settings no other setting dominates, in setting order
     * @param images   per setting, per prompt, the image of the first seed (packed RGB)
     * @param size     the images' side
     */
    public record Result(String concept, List<Point> points, List<Summary> settings, List<Summary> pareto,
            List<List<int[]>> images, int size) {

        /** The points of one setting, by its label. */
        public List<Point> points(String setting) {
            return points.stream().filter(p -> p.setting().equals(setting)).toList();
        }

        /**
         * A result of points alone, such as {@link SweepCsv#read} gives: settings in the order they first appear,
         * placed on the knob at {@code 0, 1/(n-1), ..., 1} as {@link Setting#levels} places fidelity levels, and no
         * images.
         */
        public static Result of(String concept, List<Point> points) {
            List<String> labels = points.stream().map(Point::setting).distinct().toList();
            List<Setting> settings = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                settings.add(new Setting(labels.get(i), labels.size() == 1 ? 0.5 : (double) i / (labels.size() - 1),
                        Optional.empty()));
            }
            List<Summary> summaries = summarise(settings, points);
            return new Result(concept, List.copyOf(points), summaries, FidelitySweep.pareto(summaries), List.of(), 0);
        }

        /**
         * This sweep on the prompts {@code keep} accepts: their points, each setting's means over them, the Pareto
         * settings among those means, and the grid's columns of those prompts.
         *
         * @throws IllegalArgumentException when no prompt is kept
         */
        public Result restrictedTo(Predicate<String> keep) {
            List<Point> kept = points.stream().filter(p -> keep.test(p.prompt())).toList();
            if (kept.isEmpty()) {
                throw new IllegalArgumentException("no prompt of the sweep of <" + concept + "> is kept");
            }
            List<List<int[]>> columns = new ArrayList<>();
            if (!images.isEmpty()) {
                // points run by setting, then prompt, then seed: the first setting's give each column's prompt
                List<Point> first = points(settings.get(0).setting());
                int perPrompt = first.size() / images.get(0).size();
                for (List<int[]> row : images) {
                    List<int[]> keptRow = new ArrayList<>();
                    for (int p = 0; p < row.size(); p++) {
                        if (keep.test(first.get(p * perPrompt).prompt())) {
                            keptRow.add(row.get(p));
                        }
                    }
                    columns.add(keptRow);
                }
            }
            List<Setting> positions = settings.stream()
                    .map(s -> new Setting(s.setting(), s.x(), Optional.empty())).toList();
            List<Summary> summaries = summarise(positions, kept);
            return new Result(concept, kept, summaries, FidelitySweep.pareto(summaries), columns, size);
        }
    }

    private FidelitySweep() {
    }

    /**
     * Runs the sweep.
     *
     * @param conceptImages the concept's own images (its training photos), square, {@code size} pixels
     * @param prompts       templates with {@code {}} in the concept's place
     * @param seeds         images per setting and prompt; image {@code i} uses {@code seed + i}
     */
    public static Result run(Perfusion perfusion, Judge judge, Concept concept, List<int[]> conceptImages, int size,
            List<Setting> settings, List<String> prompts, long seed, int seeds, ProgressListener listener) {
        List<float[]> own = judge.embedImages(conceptImages, size);
        List<String> texts = prompts.stream().map(p -> p.replace("{}", concept.supercategory())).toList();
        List<float[]> textEmbeddings = judge.embedTexts(texts);
        List<Point> points = new ArrayList<>();
        List<List<int[]>> grid = new ArrayList<>();
        long start = System.nanoTime();
        int done = 0;
        int total = settings.size() * prompts.size();
        int side = size;
        for (Setting setting : settings) {
            List<int[]> row = new ArrayList<>();
            for (int p = 0; p < prompts.size(); p++) {
                Generator g = perfusion.generator().prompt(prompts.get(p).replace("{}", "<" + concept.name() + ">"))
                        .concepts(concept).acceptBaselineConcepts(true).seed(seed + 100L * p).batch(seeds);
                setting.control().ifPresent(g::fidelity);
                GenerationResult result = g.generate();
                List<int[]> pixels = result.images().stream().map(i -> i.rgb()).toList();
                side = result.images().get(0).width();
                points.addAll(scored(judge, own, textEmbeddings.get(p), setting.label(), prompts.get(p), pixels,
                        result.images().stream().map(i -> i.seed()).toList(), side));
                row.add(pixels.get(0));
                listener.onProgress(new Progress("sweeping <" + concept.name() + ">", ++done, total, Double.NaN,
                        Duration.ofNanos(System.nanoTime() - start)));
            }
            grid.add(row);
        }
        List<Summary> summaries = summarise(settings, points);
        return new Result(concept.name(), points, summaries, pareto(summaries), grid, side);
    }

    /**
     * Scores images made some other way with the sweep's two measures, as one setting: references such as the
     * world's own render of each prompt, or the supercategory word's picture without the concept, to read a sweep's
     * figures against.
     *
     * @param conceptImages the concept's own images, as for {@link #run}
     * @param prompts       templates with {@code {}} in the concept's place
     * @param images        per prompt, its images, square, {@code size} pixels
     * @param seeds         per prompt, its images' seeds; equal seeds pair the points with a sweep's
     */
    public static Result score(Judge judge, String concept, String supercategory, List<int[]> conceptImages,
            int size, String label, List<String> prompts, List<List<int[]>> images, List<List<Long>> seeds) {
        if (images.size() != prompts.size() || seeds.size() != prompts.size()) {
            throw new IllegalArgumentException("expected images and seeds for each of the " + prompts.size()
                    + " prompts, got " + images.size() + " and " + seeds.size());
        }
        List<float[]> own = judge.embedImages(conceptImages, size);
        List<float[]> texts = judge.embedTexts(prompts.stream().map(p -> p.replace("{}", supercategory)).toList());
        List<Point> points = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            points.addAll(scored(judge, own, texts.get(p), label, prompts.get(p), images.get(p), seeds.get(p), size));
        }
        List<Summary> summaries = summarise(List.of(new Setting(label, 0.5, Optional.empty())), points);
        return new Result(concept, points, summaries, pareto(summaries),
                List.of(images.stream().map(i -> i.get(0)).toList()), size);
    }

    private static List<Point> scored(Judge judge, List<float[]> own, float[] text, String label, String prompt,
            List<int[]> pixels, List<Long> seeds, int side) {
        if (pixels.size() != seeds.size()) {
            throw new IllegalArgumentException("prompt \"" + prompt + "\" has " + pixels.size() + " images and "
                    + seeds.size() + " seeds");
        }
        List<float[]> embedded = judge.embedImages(pixels, side);
        List<Point> out = new ArrayList<>();
        for (int s = 0; s < pixels.size(); s++) {
            double likeness = 0;
            for (float[] o : own) {
                likeness += Judge.cosine(embedded.get(s), o) / own.size();
            }
            out.add(new Point(label, prompt, seeds.get(s), likeness, Judge.cosine(embedded.get(s), text)));
        }
        return out;
    }

    /** Each setting's means and 95% confidence intervals. */
    public static List<Summary> summarise(List<Setting> settings, List<Point> points) {
        List<Summary> out = new ArrayList<>();
        for (Setting s : settings) {
            List<Point> mine = points.stream().filter(p -> p.setting().equals(s.label())).toList();
            double[] image = mine.stream().mapToDouble(Point::imageSimilarity).toArray();
            double[] text = mine.stream().mapToDouble(Point::textSimilarity).toArray();
            out.add(new Summary(s.label(), s.x(), mean(image), ci(image), mean(text), ci(text), mine.size()));
        }
        return out;
    }

    /**
     * The paired difference of one setting's images minus another's, over the images both have for the same prompt
     * and seed. The two settings may come from different sweeps (a baseline's and Perfusion's).
     *
     * @param better the first setting's points (one setting, as {@link Result#points(String)} gives)
     * @param worse  the points subtracted
     * @throws IllegalArgumentException when a list mixes settings, or fewer than two images pair up
     */
    public static PairedDifference paired(List<Point> better, List<Point> worse) {
        String betterLabel = onlySetting(better);
        String worseLabel = onlySetting(worse);
        Map<String, Point> byImage = new HashMap<>();
        worse.forEach(p -> byImage.put(p.prompt() + "\u0000" + p.seed(), p));
        List<double[]> pairs = new ArrayList<>();
        for (Point p : better) {
            Point other = byImage.get(p.prompt() + "\u0000" + p.seed());
            if (other != null) {
                pairs.add(new double[] {p.imageSimilarity() - other.imageSimilarity(),
                        p.textSimilarity() - other.textSimilarity()});
            }
        }
        if (pairs.size() < 2) {
            throw new IllegalArgumentException("settings '" + betterLabel + "' and '" + worseLabel + "' share "
                    + pairs.size() + " prompt and seed pairs; at least 2 are needed");
        }
        double[] image = pairs.stream().mapToDouble(d -> d[0]).toArray();
        double[] text = pairs.stream().mapToDouble(d -> d[1]).toArray();
        return new PairedDifference(betterLabel, worseLabel, mean(image), ci(image), mean(text), ci(text),
                pairs.size());
    }

    private static String onlySetting(List<Point> points) {
        List<String> labels = points.stream().map(Point::setting).distinct().toList();
        if (labels.size() != 1) {
            throw new IllegalArgumentException("expected the points of one setting, got settings " + labels);
        }
        return labels.get(0);
    }

    /** The summaries no other summary dominates, in their order. */
    public static List<Summary> pareto(List<Summary> summaries) {
        return summaries.stream().filter(s -> summaries.stream().noneMatch(o -> o.dominates(s))).toList();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Half-width of the normal 95% confidence interval of the mean. */
    static double ci(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return 1.96 * Math.sqrt(s / (v.length - 1) / v.length);
    }
}
