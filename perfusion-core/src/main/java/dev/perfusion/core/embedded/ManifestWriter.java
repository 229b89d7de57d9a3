package dev.perfusion.core.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the {@value EmbeddedModel#MANIFEST} of a model folder about to be shipped: every file with its size and
 * SHA-256, in name order, the checksum of that list, and what the caller records (training command, seed, world
 * version, recipe).
 */
public final class ManifestWriter {

    private ManifestWriter() {
    }

    /** Writes the manifest into {@code folder}, listing every other file under it. */
    public static JsonNode write(Path folder, JsonNode record) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = json.createObjectNode();
        manifest.put("format", EmbeddedModel.FORMAT);
        manifest.put("format_version", 1);
        manifest.setAll((ObjectNode) record);
        ObjectNode files = manifest.putObject("files");
        MessageDigest whole = EmbeddedModel.sha256();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(EmbeddedModel.MANIFEST)).sorted().toList();
        }
        for (Path p : paths) {
            String name = folder.relativize(p).toString().replace('\\', '/');
            String hex = EmbeddedModel.sha256(p);
            ObjectNode entry = files.putObject(name);
            entry.put("bytes", Files.size(p));
            entry.put("sha256", hex);
            whole.update((name + " " + hex + "\n").getBytes(StandardCharsets.UTF_8));
        }
        manifest.put("checksum", HexFormat.of().formatHex(whole.digest()));
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        AtomicFiles.write(folder.resolve(EmbeddedModel.MANIFEST), out -> out.write(bytes));
        return manifest;
    }
}
