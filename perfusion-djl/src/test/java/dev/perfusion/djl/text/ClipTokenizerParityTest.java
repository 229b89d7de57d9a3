package dev.perfusion.djl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.text.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token ids against transformers' CLIPTokenizer on the fixture vocabulary (see make_fixtures.py). */
class ClipTokenizerParityTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static JsonNode reference;
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        reference = new ObjectMapper().readTree(FIXTURES.resolve("reference/tokenizer_cases.json").toFile());
        tokenizer = ClipTokenizer.load(FIXTURES.resolve("tiny-sd/tokenizer"));
    }

    @Test
    void idsEqualTheReferenceForEveryPrompt() {
        JsonNode cases = reference.get("cases");
        assertThat(cases.size()).isGreaterThanOrEqualTo(200);
        List<String> mismatches = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            if (!tokenizer.ids(text).equals(ints(c.get("ids")))) {
                mismatches.add(text + " -> " + tokenizer.ids(text) + " expected " + ints(c.get("ids")));
            }
            assertThat(tokenizer.encode(text)).as(text).containsExactly(
                    ints(c.get("model_input")).stream().mapToInt(Integer::intValue).toArray());
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void vocabularyAndPaddingMatchTheReference() {
        assertThat(tokenizer.vocabSize()).isEqualTo(reference.get("vocab_size").asInt());
        assertThat(tokenizer.padId()).isEqualTo(reference.get("pad_id").asInt());
        int[] ids = tokenizer.encode("a cat");
        assertThat(ids).hasSize(ClipTokenizer.MAX_LENGTH);
        assertThat(ids[0]).isEqualTo(tokenizer.startId());
    }

    @Test
    void anAddedTokenGetsTheNextIdAndIsMatchedAsAWhole() {
        String token = reference.get("added_token").asText();
        ClipTokenizer withConcept = tokenizer.withAddedToken(token);

        assertThat(withConcept.addedTokenId(token)).isEqualTo(reference.get("added_token_id").asInt());
        assertThat(withConcept.vocabSize()).isEqualTo(tokenizer.vocabSize() + 1);
        for (JsonNode c : reference.get("added_cases")) {
            assertThat(withConcept.ids(c.get("text").asText())).as(c.get("text").asText())
                    .isEqualTo(ints(c.get("ids")));
        }
        assertThatThrownBy(() -> withConcept.withAddedToken(token)).hasMessageContaining("already known");
    }

    @Test
    void aBrokenMergesFileNamesTheLine(@TempDir Path dir) throws IOException {
        Files.copy(FIXTURES.resolve("tiny-sd/tokenizer/vocab.json"), dir.resolve("vocab.json"));
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\nc d e\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("merges.txt: line 3 is not two symbols: 'c d e'");
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
