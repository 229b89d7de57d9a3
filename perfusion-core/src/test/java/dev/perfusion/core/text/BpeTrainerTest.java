package dev.perfusion.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perfusion.core.world.World;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    private static List<String> corpus;
    private static BpeTrainer.Vocabulary vocabulary;

    @BeforeAll
    static void learn() {
        World world = new World(5);
        corpus = new ArrayList<>();
        for (long i = 0; i < 3000; i++) {
            corpus.add(world.sample(i).caption());
        }
        vocabulary = BpeTrainer.train(corpus, 2, 2000);
    }

    @Test
    void everyWordOfTheWorldBecomesOneToken() {
        ClipTokenizer tokenizer = vocabulary.tokenizer();
        for (String word : List.of("star", "orange", "striped", "background", "brick", "the", "of", "night", "purple")) {
            assertThat(tokenizer.ids(word)).as(word).hasSize(1);
        }
        assertThat(tokenizer.ids("a red star to the left of a blue ring on grass")).hasSize(12);
    }

    @Test
    void theEndPositionFollowsTheStartTokenAndTheWords() {
        ClipTokenizer tokenizer = vocabulary.tokenizer();
        String caption = "a red star to the left of a blue ring on grass";
        assertThat(tokenizer.endPosition(tokenizer.encode(caption))).isEqualTo(1 + tokenizer.ids(caption).size());
        assertThat(tokenizer.endPosition(tokenizer.encode(""))).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tokenizer.endPosition(new int[] {
                tokenizer.startId(), tokenizer.ids("star").get(0)})).hasMessageContaining("has no end token");
    }

    @Test
    void textRoundTripsThroughIds() {
        ClipTokenizer tokenizer = vocabulary.tokenizer();
        for (String caption : corpus.subList(0, 200)) {
            assertThat(tokenizer.decode(tokenizer.encode(caption))).isEqualTo(caption);
        }
        String unseen = "a zebra, 3 qubits & naïve café";
        assertThat(tokenizer.decode(tokenizer.encode(unseen))).isEqualTo("a zebra , 3 qubits & naïve café");
    }

    @Test
    void theVocabularyIsLaidOutAsClipsAndLearningIsDeterministic() {
        assertThat(vocabulary.vocab()).containsEntry("!", 0).containsEntry("!</w>", 256);
        assertThat(vocabulary.vocab().get(ClipTokenizer.END)).isEqualTo(vocabulary.vocab().size() - 1);
        assertThat(BpeTrainer.train(corpus, 2, 2000)).isEqualTo(vocabulary);
        assertThat(BpeTrainer.train(corpus, 2, 10).merges()).isEqualTo(vocabulary.merges().subList(0, 10));
    }

    @Test
    void aWrittenFolderLoadsAsTheSameTokenizer(@TempDir Path dir) throws IOException {
        vocabulary.write(dir);
        ClipTokenizer loaded = ClipTokenizer.load(dir);
        for (String caption : corpus.subList(0, 50)) {
            assertThat(loaded.encode(caption)).isEqualTo(vocabulary.tokenizer().encode(caption));
        }
        assertThat(loaded.padId()).isEqualTo(loaded.endId());
    }
}
