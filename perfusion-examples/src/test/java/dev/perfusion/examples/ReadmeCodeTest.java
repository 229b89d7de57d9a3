package dev.perfusion.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's "Using it" code is the compiled {@link UsingIt} code, so it cannot drift out of date. */
class ReadmeCodeTest {

    @Test
    void theReadmesUsingItBlockIsTheCompiledExampleWordForWord() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int heading = readme.indexOf("## Using it");
        assertThat(heading).as("README has a 'Using it' section").isNotNegative();
        int open = readme.subList(heading, readme.size()).indexOf("```java") + heading;
        int close = readme.subList(open + 1, readme.size()).indexOf("```") + open + 1;
        String block = String.join("\n", readme.subList(open + 1, close));

        List<String> source = Files.readAllLines(
                Path.of("src/main/java/dev/perfusion/examples/UsingIt.java"));
        int start = indexOfTrimmed(source, "// README:start");
        int end = indexOfTrimmed(source, "// README:end");
        List<String> code = source.subList(start + 1, end);
        int indent = code.get(0).length() - code.get(0).stripLeading().length();
        String example = code.stream().map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
                .collect(Collectors.joining("\n"));

        assertThat(block).isEqualTo(example);
    }

    private static int indexOfTrimmed(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(text)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + text + "' in UsingIt.java");
    }
}
