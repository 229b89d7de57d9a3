package dev.perfusion.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepCsvTest {

    private static final List<FidelitySweep.Point> PERFUSION = List.of(
            new FidelitySweep.Point("fidelity 0.00", "a {} on grass", 5000, 0.1, 0.5),
            new FidelitySweep.Point("fidelity 0.00", "a {}, \"quoted\", at night", 5001, 0.3, 0.3),
            new FidelitySweep.Point("fidelity 1.00", "a {} on grass", 5000, 0.5, 0.2),
            new FidelitySweep.Point("fidelity 1.00", "a {}, \"quoted\", at night", 5001, 0.7, 0.4));
    private static final List<FidelitySweep.Point> BASELINE = List.of(
            new FidelitySweep.Point("embedding only", "a {} on grass", 5000, 0.2, 0.1),
            new FidelitySweep.Point("embedding only", "a {}, \"quoted\", at night", 5001, 0.2, 0.1));

    @Test
    void pointsWrittenAreReadBackWithTheirVariantsSettingsAndMeans(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("points.csv");
        SweepCsv.write(List.of(new SweepPictures.Variant("perfusion", FidelitySweep.Result.of("tom", PERFUSION)),
                new SweepPictures.Variant("textual-inversion", FidelitySweep.Result.of("tom", BASELINE))), file);

        List<SweepPictures.Variant> read = SweepCsv.read(file, "tom");

        assertThat(Files.readAllLines(file).get(0)).isEqualTo(SweepCsv.HEADER);
        assertThat(read).extracting(SweepPictures.Variant::name).containsExactly("perfusion", "textual-inversion");
        assertThat(read.get(0).result().points()).isEqualTo(PERFUSION);
        assertThat(read.get(1).result().points()).isEqualTo(BASELINE);
        FidelitySweep.Summary open = read.get(0).result().settings().get(1);
        assertThat(open.setting()).isEqualTo("fidelity 1.00");
        assertThat(open.x()).isEqualTo(1.0);
        assertThat(open.image()).isCloseTo(0.6, offset(1e-12));
        assertThat(open.text()).isCloseTo(0.3, offset(1e-12));
        assertThat(read.get(0).result().pareto()).extracting(FidelitySweep.Summary::setting)
                .containsExactly("fidelity 0.00", "fidelity 1.00");
        assertThat(read.get(1).result().settings().get(0).x()).isEqualTo(0.5);
    }

    @Test
    void aFileWithEveryPromptQuotedAsEarlierVersionsWroteReadsTheSame(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("old.csv");
        Files.writeString(file, SweepCsv.HEADER + "\nperfusion,fidelity 0.00,\"a {} in the sky\",5000,0.47655,"
                + "0.30473\nperfusion,fidelity 0.00,\"a {} at night\",5001,-0.10000,0.25675\n");

        List<FidelitySweep.Point> points = SweepCsv.read(file, "nemo").get(0).result().points();

        assertThat(points).containsExactly(
                new FidelitySweep.Point("fidelity 0.00", "a {} in the sky", 5000, 0.47655, 0.30473),
                new FidelitySweep.Point("fidelity 0.00", "a {} at night", 5001, -0.1, 0.25675));
    }

    @Test
    void aMissingColumnOrABadNumberIsRefusedNamingTheFileAndLine(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.csv");
        Files.writeString(missing, "variant,setting,prompt,seed,image_similarity\nperfusion,a,b,1,0.5\n");
        assertThatThrownBy(() -> SweepCsv.read(missing, "tom")).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("missing.csv").hasMessageContaining("text_similarity");

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, SweepCsv.HEADER + "\nperfusion,a,b,1,0.5,0.5\nperfusion,a,b,2,high,0.5\n");
        assertThatThrownBy(() -> SweepCsv.read(bad, "tom")).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("bad.csv").hasMessageContaining("line 3").hasMessageContaining("high");

        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, SweepCsv.HEADER + "\n");
        assertThatThrownBy(() -> SweepCsv.read(empty, "tom")).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("no points");
    }
}
