package dev.perfusion.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerFilesTest {

    private static Path folder(Path dir, String vocab, byte[] merges) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), vocab);
        Files.write(dir.resolve("merges.txt"), merges);
        return dir;
    }

    private static String vocab(String entries) {
        return "{\"a</w>\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2" + entries + "}";
    }

    @Test
    void idsOutOfRangeRepeatedNullOrNegativeAreRefusedAtLoadNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] merges = "#version: 0.2\n".getBytes(StandardCharsets.UTF_8);
        for (String[] bad : new String[][] {{", \"b</w>\": 7", "the id 7"}, {", \"b</w>\": 1", "gives id 1 to more"},
            {", \"b</w>\": null", "the id null"}, {", \"b</w>\": -3", "the id -3"}}) {
            Path f = folder(dir, vocab(bad[0]), merges);
            assertThatThrownBy(() -> ClipTokenizer.load(f)).isInstanceOf(FileFormatException.class)
                    .hasMessageContaining(f.resolve("vocab.json").toString()).hasMessageContaining(bad[1]);
        }
        Path text = folder(dir, vocab(", \"b</w>\": \"x\""), merges);
        assertThatThrownBy(() -> ClipTokenizer.load(text)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("vocab.json");
    }

    @Test
    void mergesThatAreNotUtf8AreNamed(@TempDir Path dir) throws IOException {
        Path f = folder(dir, vocab(""), new byte[] {'a', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> ClipTokenizer.load(f)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining(f.resolve("merges.txt").toString()).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void theMergeCacheStaysBoundedWhateverTheTextIs() {
        BpeTrainer.Vocabulary vocabulary = BpeTrainer.train(List.of("a red star", "a blue ring"), 1, 100);
        ClipTokenizer tokenizer = vocabulary.tokenizer();
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < ClipTokenizer.CACHE_WORDS + 5_000; i++) {
            words.setLength(0);
            int n = i;
            do {
                words.append((char) ('a' + n % 26));
                n /= 26;
            } while (n > 0);
            tokenizer.ids(words.toString());
        }
        assertThat(tokenizer.cachedWords()).isLessThanOrEqualTo(ClipTokenizer.CACHE_WORDS);
        assertThat(tokenizer.decode(tokenizer.encode("a red star"))).isEqualTo("a red star");
    }
}
