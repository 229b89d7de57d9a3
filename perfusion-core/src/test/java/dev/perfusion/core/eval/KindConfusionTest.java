package dev.perfusion.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.Judge;
import dev.perfusion.core.world.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KindConfusionTest {

    /** Names the kind whose ordinal a picture's first pixel holds: a judge whose every answer is known. */
    static final class FirstPixelJudge implements Judge {
        @Override
        public List<float[]> embedImages(List<int[]> pictures, int size) {
            return pictures.stream().map(p -> oneHot(p[0])).toList();
        }

        @Override
        public List<float[]> embedTexts(List<String> texts) {
            List<float[]> out = new ArrayList<>();
            for (String text : texts) {
                Kind kind = null;
                for (Kind k : Kind.values()) {
                    if (QualityEvaluation.kindPrompt(k).equals(text)) {
                        kind = k;
                    }
                }
                out.add(oneHot(kind.ordinal()));
            }
            return out;
        }

        private static float[] oneHot(int index) {
            float[] v = new float[Kind.values().length];
            v[index] = 1;
            return v;
        }

        @Override
        public void close() {
        }
    }

    private static int[] pictureNamed(Kind kind) {
        int[] picture = new int[4];
        picture[0] = kind.ordinal();
        return picture;
    }

    @Test
    void countsEachPictureUnderItsTrueKindAndTheKindTheJudgeNamed() {
        List<Kind> truth = List.of(Kind.values()[0], Kind.values()[0], Kind.values()[1], Kind.values()[2]);
        List<int[]> pictures = List.of(pictureNamed(Kind.values()[0]), pictureNamed(Kind.values()[3]),
                pictureNamed(Kind.values()[1]), pictureNamed(Kind.values()[1]));

        KindConfusion confusion = KindConfusion.of(new FirstPixelJudge(), pictures, truth, 2);

        int[][] counts = confusion.counts();
        assertThat(counts[0][0]).isEqualTo(1);
        assertThat(counts[0][3]).isEqualTo(1);
        assertThat(counts[1][1]).isEqualTo(1);
        assertThat(counts[2][1]).isEqualTo(1);
        assertThat(confusion.correct()).isEqualTo(2);
        assertThat(confusion.total()).isEqualTo(4);
        String table = confusion.table();
        assertThat(table.lines()).hasSize(2 + Kind.values().length);
        assertThat(table).contains("| " + Kind.values()[0].word() + " | 1 | 0 | 0 | 1 |")
                .contains(" 1/2 |").contains(" 0/1 |");
    }

    @Test
    void refusesPicturesAndKindsOfDifferentCounts() {
        assertThatThrownBy(() -> KindConfusion.of(new FirstPixelJudge(), List.of(new int[4]), List.of(), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 pictures but 0 kinds");
    }

    @Test
    void isAnImmutableValue() {
        int[][] counts = new int[Kind.values().length][Kind.values().length];
        KindConfusion confusion = new KindConfusion(counts);
        counts[0][0] = 5;
        confusion.counts()[0][0] = 7;
        assertThat(confusion.correct()).isZero();
    }
}
