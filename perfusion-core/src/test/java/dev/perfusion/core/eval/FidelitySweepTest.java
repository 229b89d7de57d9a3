package dev.perfusion.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.Judge;
import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.Capability;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import dev.perfusion.core.testing.SampleConcepts;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidelitySweepTest {

    /** Pictures whose colour follows the prompt, the seed and the concept's key gate. */
    static final class PaintingBackend implements Backend {
        @Override
        public String name() {
            return "painting";
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public String fingerprint() {
            return "sha256:0123abcd";
        }

        @Override
        public TrainingService training() {
            throw new UnsupportedOperationException();
        }

        @Override
        public GenerationService generation() {
            return (job, listener) -> {
                double bias = job.concepts().isEmpty() ? 0.5 : job.concepts().get(0).key().bias();
                List<GeneratedImage> images = new ArrayList<>();
                for (int i = 0; i < job.request().batch(); i++) {
                    long seed = job.request().seed() + i;
                    int[] rgb = new int[16 * 16];
                    for (int p = 0; p < rgb.length; p++) {
                        int r = (int) (255 * bias);
                        int g = Math.floorMod(job.request().prompt().hashCode() + p, 256);
                        int b = (int) Math.floorMod(seed * 37 + p * 3, 256);
                        rgb[p] = (r << 16) | (g << 8) | b;
                    }
                    images.add(new GeneratedImage(16, 16, rgb, seed));
                }
                return new GenerationResult(job.request(), images, Duration.ZERO);
            };
        }

        @Override
        public void close() {
        }
    }

    /** Embeds a picture as its mean colour, a text by its hash. */
    static final class ColourJudge implements Judge {
        @Override
        public List<float[]> embedImages(List<int[]> pictures, int size) {
            return pictures.stream().map(p -> {
                float[] e = new float[4];
                for (int v : p) {
                    e[0] += ((v >> 16) & 0xff) / 255f / p.length;
                    e[1] += ((v >> 8) & 0xff) / 255f / p.length;
                    e[2] += (v & 0xff) / 255f / p.length;
                }
                e[3] = 0.5f;
                return e;
            }).toList();
        }

        @Override
        public List<float[]> embedTexts(List<String> texts) {
            return texts.stream().map(t -> new float[] {0.2f, (t.hashCode() & 0xff) / 255f, 0.4f, 0.5f}).toList();
        }

        @Override
        public void close() {
        }
    }

    private static Perfusion open() throws IOException {
        BackendProvider provider = new BackendProvider() {
            @Override
            public String name() {
                return "painting";
            }

            @Override
            public int priority() {
                return 1;
            }

            @Override
            public Set<Capability> capabilities() {
                return EnumSet.allOf(Capability.class);
            }

            @Override
            public Availability availability() {
                return Availability.usable("cpu");
            }

            @Override
            public Backend open(BaseModel model, BackendOptions options) {
                return new PaintingBackend();
            }
        };
        return Perfusion.builder().providers(List.of(provider)).open(BaseModel.embedded());
    }

    private static FidelitySweep.Summary summary(String name, double image, double text) {
        return new FidelitySweep.Summary(name, 0, image, 0.01, text, 0.01, 10);
    }

    @Test
    void theParetoFrontKeepsExactlyTheUndominatedSettings() {
        FidelitySweep.Summary a = summary("a", 0.5, 0.5);
        FidelitySweep.Summary b = summary("b", 0.6, 0.4);
        FidelitySweep.Summary c = summary("c", 0.4, 0.4);
        FidelitySweep.Summary d = summary("d", 0.5, 0.5);
        FidelitySweep.Summary e = summary("e", 0.7, 0.2);
        FidelitySweep.Summary f = summary("f", 0.55, 0.3);
        assertThat(FidelitySweep.pareto(List.of(a, b, c, d, e, f))).containsExactly(a, b, d, e);
        assertThat(FidelitySweep.pareto(List.of(c))).containsExactly(c);
        assertThat(b.dominates(f)).isTrue();
        assertThat(a.dominates(d)).isFalse();
    }

    @Test
    void meansAndIntervalsFollowTheirDefinitions() {
        double[] v = {1, 2, 3, 4};
        assertThat(FidelitySweep.mean(v)).isEqualTo(2.5);
        assertThat(FidelitySweep.ci(v)).isCloseTo(1.96 * Math.sqrt(5.0 / 3 / 4), offset(1e-12));
        assertThat(FidelitySweep.ci(new double[] {1})).isNaN();
    }

    @Test
    void aSweepIsDeterministicAndScoresEveryImage() throws IOException {
        Concept tom = SampleConcepts.sd15("tom", 1);
        List<int[]> own = List.of(new int[256], new int[256]);
        try (Perfusion p = open(); Judge judge = new ColourJudge()) {
            List<FidelitySweep.Setting> settings = FidelitySweep.Setting.levels(tom, 3);
            List<String> prompts = List.of("a {} on grass", "a {} at night");
            FidelitySweep.Result first = FidelitySweep.run(p, judge, tom, own, 16, settings, prompts, 5, 2, q -> { });
            FidelitySweep.Result second = FidelitySweep.run(p, judge, tom, own, 16, settings, prompts, 5, 2, q -> { });
            assertThat(first.points()).hasSize(3 * 2 * 2).isEqualTo(second.points());
            assertThat(first.settings()).extracting(FidelitySweep.Summary::n).containsOnly(4);
            assertThat(first.images()).hasSize(3).allSatisfy(row -> assertThat(row).hasSize(2));
            assertThat(first.settings().get(0).image()).isNotEqualTo(first.settings().get(2).image());
            assertThat(first.points()).extracting(FidelitySweep.Point::seed).contains(5L, 6L, 105L, 106L);
        }
    }

    @Test
    void aSweepRestrictedToSomePromptsHasTheirMeansTheirFrontAndTheirColumns() throws IOException {
        Concept tom = SampleConcepts.sd15("tom", 1);
        try (Perfusion p = open(); Judge judge = new ColourJudge()) {
            List<String> prompts = List.of("a {} on grass", "a {} at night", "a {} on grass");
            FidelitySweep.Result all = FidelitySweep.run(p, judge, tom, List.of(new int[256]), 16,
                    FidelitySweep.Setting.levels(tom, 3), prompts, 5, 2, q -> { });

            FidelitySweep.Result night = all.restrictedTo(prompt -> prompt.contains("night"));

            assertThat(night.points()).hasSize(3 * 2).allSatisfy(q -> assertThat(q.prompt()).contains("night"));
            for (int s = 0; s < 3; s++) {
                double[] image = night.points(all.settings().get(s).setting()).stream()
                        .mapToDouble(FidelitySweep.Point::imageSimilarity).toArray();
                assertThat(night.settings().get(s).image()).isEqualTo((image[0] + image[1]) / 2);
                assertThat(night.settings().get(s).x()).isEqualTo(all.settings().get(s).x());
                assertThat(night.images().get(s)).containsExactly(all.images().get(s).get(1));
            }
            assertThat(night.pareto()).isEqualTo(FidelitySweep.pareto(night.settings()));
            assertThat(all.restrictedTo(prompt -> prompt.contains("grass")).images())
                    .allSatisfy(row -> assertThat(row).hasSize(2));
            assertThatThrownBy(() -> all.restrictedTo(prompt -> false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<tom>");
        }
    }

    @Test
    void imagesScoredOutsideASweepGetTheScoresTheSweepGaveThem() throws IOException {
        Concept tom = SampleConcepts.sd15("tom", 1);
        List<int[]> own = List.of(new int[256], new int[256]);
        try (Perfusion p = open(); Judge judge = new ColourJudge()) {
            List<String> prompts = List.of("a {} on grass", "a {} at night");
            FidelitySweep.Result swept = FidelitySweep.run(p, judge, tom, own, 16, FidelitySweep.Setting.levels(tom, 1),
                    prompts, 5, 1, q -> { });
            List<List<int[]>> images = swept.images().get(0).stream().map(List::of).toList();
            List<List<Long>> seeds = swept.points().stream().map(q -> List.of(q.seed())).toList();

            FidelitySweep.Result scored = FidelitySweep.score(judge, "tom", tom.supercategory(), own, 16, "again",
                    prompts, images, seeds);

            assertThat(scored.points()).hasSize(2);
            for (int i = 0; i < 2; i++) {
                FidelitySweep.Point a = swept.points().get(i);
                FidelitySweep.Point b = scored.points().get(i);
                assertThat(b.setting()).isEqualTo("again");
                assertThat(b).usingRecursiveComparison().ignoringFields("setting").isEqualTo(a);
            }
            assertThat(scored.settings()).singleElement().satisfies(q -> assertThat(q.n()).isEqualTo(2));
            assertThatThrownBy(() -> FidelitySweep.score(judge, "tom", "cat", own, 16, "again", prompts,
                    images.subList(0, 1), seeds)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("each of the 2 prompts");
        }
    }

    @Test
    void theGridAndThePlotAreRealPicturesOfTheExpectedSize(@TempDir Path dir) throws IOException {
        Concept tom = SampleConcepts.sd15("tom", 1);
        try (Perfusion p = open(); Judge judge = new ColourJudge()) {
            FidelitySweep.Result result = FidelitySweep.run(p, judge, tom, List.of(new int[256]), 16,
                    FidelitySweep.Setting.levels(tom, 3), List.of("a {}", "two {}"), 1, 2, q -> { });
            SweepPictures.grid(result, dir.resolve("grid.png"), 48);
            SweepPictures.plot("tom", List.of(new SweepPictures.Series("Perfusion", result.settings(), true),
                    new SweepPictures.Series("baseline", List.of(result.settings().get(0)), false)),
                    dir.resolve("front.png"));
            SweepCsv.write(List.of(new SweepPictures.Variant("perfusion", result)), dir.resolve("points.csv"));
            BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
            assertThat(grid.getWidth()).isEqualTo(120 + 2 * 48);
            assertThat(grid.getHeight()).isEqualTo(3 * 48);
            assertThat(variance(grid)).isGreaterThan(100);
            BufferedImage front = ImageIO.read(dir.resolve("front.png").toFile());
            assertThat(front.getWidth()).isEqualTo(900);
            assertThat(front.getHeight()).isEqualTo(650);
            assertThat(variance(front)).isGreaterThan(100);
            assertThat(java.nio.file.Files.readAllLines(dir.resolve("points.csv"))).hasSize(1 + 3 * 2 * 2);
            assertThat(SweepPictures.table(List.of(new SweepPictures.Variant("perfusion", result))))
                    .contains("| perfusion | fidelity 0.50 |");
        }
    }

    private static double variance(BufferedImage image) {
        double sum = 0;
        double squares = 0;
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int v = image.getRGB(x, y);
                double grey = (((v >> 16) & 0xff) + ((v >> 8) & 0xff) + (v & 0xff)) / 3.0;
                sum += grey;
                squares += grey * grey;
                n++;
            }
        }
        return squares / n - (sum / n) * (sum / n);
    }

    @Test
    void levelsSpanTheKnob() {
        Concept tom = SampleConcepts.sd15("tom", 1);
        assertThat(FidelitySweep.Setting.levels(tom, 5)).extracting(FidelitySweep.Setting::x)
                .containsExactly(0.0, 0.25, 0.5, 0.75, 1.0);
        assertThat(FidelitySweep.Setting.levels(tom, 5).get(0).control()).isPresent();
    }

    private static List<FidelitySweep.Point> points(String setting, double[] image, double[] text) {
        List<FidelitySweep.Point> out = new ArrayList<>();
        for (int i = 0; i < image.length; i++) {
            out.add(new FidelitySweep.Point(setting, "prompt " + (i / 2), 100 + i % 2, image[i], text[i]));
        }
        return out;
    }

    @Test
    void pairingRemovesThePromptToPromptSpread() {
        double[] image = {0.1, 0.9, 0.3, 0.7, -0.2, 0.5};
        double[] text = {0.2, 0.4, 0.1, 0.5, 0.3, 0.2};
        double[] shifted = Arrays.stream(image).map(v -> v + 0.05).toArray();
        List<FidelitySweep.Point> perfusion = points("fidelity 0.50", image, text);
        List<FidelitySweep.Point> baseline = new ArrayList<>(points("embedding only", shifted, text));
        Collections.reverse(baseline);

        FidelitySweep.PairedDifference d = FidelitySweep.paired(baseline, perfusion);

        assertThat(d.n()).isEqualTo(6);
        assertThat(d.image()).isCloseTo(0.05, offset(1e-12));
        assertThat(d.imageCi()).isLessThan(1e-12);
        assertThat(d.text()).isZero();
        assertThat(d.significantlyDominates()).isTrue();
        assertThat(d.describe()).isEqualTo("paired over 6 images: image +0.050 +- 0.000, text +0.000 +- 0.000");
        List<FidelitySweep.Summary> unpaired = FidelitySweep.summarise(List.of(
                new FidelitySweep.Setting("fidelity 0.50", 0.5, Optional.empty()),
                new FidelitySweep.Setting("embedding only", 0, Optional.empty())),
                Stream.concat(perfusion.stream(), baseline.stream()).toList());
        assertThat(unpaired.get(0).imageCi()).isGreaterThan(0.05 * 4);
    }

    @Test
    void aGainThatChangesSignAcrossImagesIsWithinChance() {
        double[] worse = {0.3, 0.3, 0.3, 0.3};
        double[] better = {0.4, 0.22, 0.39, 0.23};
        double[] text = {0.2, 0.2, 0.2, 0.2};
        FidelitySweep.PairedDifference d = FidelitySweep.paired(points("b", better, text), points("a", worse, text));

        assertThat(d.image()).isCloseTo(0.01, offset(1e-12));
        assertThat(d.image() - d.imageCi()).isNegative();
        assertThat(d.significantlyDominates()).isFalse();
        assertThat(FidelitySweep.paired(points("a", worse, text), points("b", better, text))
                .significantlyDominates()).isFalse();
    }

    @Test
    void pairingRefusesMixedSettingsAndTooFewPairs() {
        double[] v = {0.1, 0.2};
        List<FidelitySweep.Point> mixed = new ArrayList<>(points("a", v, v));
        mixed.addAll(points("b", v, v));
        assertThatThrownBy(() -> FidelitySweep.paired(mixed, points("c", v, v)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[a, b]");
        List<FidelitySweep.Point> other = List.of(new FidelitySweep.Point("c", "elsewhere", 1, 0, 0),
                new FidelitySweep.Point("c", "elsewhere", 2, 0, 0));
        assertThatThrownBy(() -> FidelitySweep.paired(points("a", v, v), other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("share 0");
    }
}
