package dev.perfusion.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainEmbeddedModelTest {

    @Test
    void aSecondRunInAWorkFolderThatIsInUseExitsAtOnceAndSaysWhy(@TempDir Path work) throws IOException {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (FileChannel channel = FileChannel.open(work.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new TrainEmbeddedModel()).execute("--work", work.toString(), "tokenizer");
            assertThat(code).isEqualTo(3);
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("another training run holds");
        try (var files = Files.list(work)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".lock");
        }
    }
}
