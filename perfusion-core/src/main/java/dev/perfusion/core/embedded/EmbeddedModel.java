package dev.perfusion.core.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.FidelityCurve;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.io.Folders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * The small text-to-image model the SDK ships as class-path resources under {@value #ROOT}: a diffusers folder
 * (tokenizer, text encoder, UNet, VAE, scheduler), its judge ({@code judge/}) and a {@value #MANIFEST} naming every
 * file with its size and SHA-256, the command that trained it, its seed and the world's version.
 *
 * <p>{@link #unpack} copies it once into a cache folder named by the manifest's checksum, as DJL caches its models:
 * under {@code $PERFUSION_CACHE}, else the system property {@value #CACHE_PROPERTY}, else
 * {@code ~/.cache/perfusion}. Every file is checked against the manifest while it is copied; a missing, truncated or
 * altered resource fails with its name, and nothing incomplete is left in the cache.
 */
public final class EmbeddedModel {

    /** Where the resources are on the class path. */
    public static final String ROOT = "dev/perfusion/embedded/";
    /** The manifest's name under {@link #ROOT}. */
    public static final String MANIFEST = "manifest.json";
    /** The manifest's {@code format}. */
    public static final String FORMAT = "perfusion-embedded-model";
    /** The system property naming the cache folder. */
    public static final String CACHE_PROPERTY = "perfusion.cache";

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedModel() {
    }

    /**
     * The concept-training recipe on the embedded model: the paper's, scaled to a 64-pixel model trained on 2 CPU
     * cores (fewer steps of a smaller batch), with the paper's edit, which reaches every token the UNet reads (this
     * model's UNet reads the words and the end token, not the padding; see docs/perfusion-training.md for how the
     * recipe and the scope were chosen).
     */
    public static TrainingOptions conceptTraining() {
        return TrainingOptions.builder().steps(400).batchSize(4).gradientAccumulation(2).valueLearningRate(0.01)
                .embeddingLearningRate(0.0005).editScope(EditScope.ALL_TOKENS).build();
    }

    /**
     * The fidelity curve measured on the embedded model: beta 0.80 at fidelity 0 to 0.50 at 1, at temperature 0.30.
     * On this model a trained concept's token is followed by tokens that encode much of it (its similarity there is
     * 0.4 to 1.1), and the paper's narrower gate (tau 0.15) takes the concept's component out of them without giving
     * its target back; the wider one gave more likeness at equal prompt obedience on the three swept concepts
     * (docs/results.md).
     */
    public static FidelityCurve fidelityCurve() {
        return new FidelityCurve(0.80, 0.50, 0.30);
    }

    /** The manifest on the class path of {@code loader}. */
    public static JsonNode manifest(ClassLoader loader) throws IOException {
        try (InputStream in = loader.getResourceAsStream(ROOT + MANIFEST)) {
            if (in == null) {
                throw new NoSuchFileException(ROOT + MANIFEST, null,
                        "the embedded model is not on the class path (it ships in perfusion-core's jar)");
            }
            JsonNode manifest = JSON.readTree(in);
            if (!FORMAT.equals(manifest.path("format").asText()) || !manifest.path("files").isObject()
                    || !manifest.path("checksum").isTextual()) {
                throw new FileFormatException(Path.of(ROOT + MANIFEST), "is not an embedded-model manifest");
            }
            return manifest;
        }
    }

    /** The cache folder: {@code $PERFUSION_CACHE}, the property {@value #CACHE_PROPERTY}, or ~/.cache/perfusion. */
    public static Path cacheRoot() {
        String env = System.getenv("PERFUSION_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "perfusion");
    }

    /** {@link #unpack(ClassLoader, Path)} from this library's class loader into {@link #cacheRoot()}. */
    public static Path unpack() throws IOException {
        return unpack(EmbeddedModel.class.getClassLoader(), cacheRoot());
    }

    /**
     * The model as a folder, copied from the class path of {@code loader} into {@code cache} unless a complete copy of
     * the same checksum is there already.
     *
     * @return the model's folder: a diffusers folder with a {@code judge/} beside the components
     * @throws FileFormatException naming the resource when one is missing, truncated or altered
     */
    public static Path unpack(ClassLoader loader, Path cache) throws IOException {
        JsonNode manifest = manifest(loader);
        String checksum = manifest.get("checksum").asText();
        Path target = cache.resolve("embedded").resolve(checksum.substring(0, Math.min(16, checksum.length())));
        Path complete = target.resolve(".complete");
        if (Files.isRegularFile(complete) && Files.readString(complete).strip().equals(checksum)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(target.getParent(), ".unpacking-");
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = manifest.get("files").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> file = it.next();
                copyChecked(loader, file.getKey(), file.getValue(), staging);
            }
            Files.writeString(staging.resolve(".complete"), checksum);
            Folders.deleteTree(target);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isRegularFile(complete)) {
                    throw e;
                }
            }
            return target;
        } finally {
            Folders.deleteTree(staging);
        }
    }

    private static void copyChecked(ClassLoader loader, String name, JsonNode entry, Path staging)
            throws IOException {
        if (name.contains("..") || name.startsWith("/")) {
            throw new FileFormatException(Path.of(ROOT + MANIFEST), "names a file outside the model: " + name);
        }
        Path resource = Path.of(ROOT + name);
        Path out = staging.resolve(name);
        Files.createDirectories(out.getParent());
        MessageDigest sha = sha256();
        try (InputStream raw = loader.getResourceAsStream(ROOT + name)) {
            if (raw == null) {
                throw new FileFormatException(resource, "is listed in the embedded model's manifest but missing "
                        + "from the class path");
            }
            try (InputStream in = new DigestInputStream(raw, sha)) {
                Files.copy(in, out);
            }
        }
        long expectedBytes = entry.path("bytes").asLong(-1);
        long bytes = Files.size(out);
        if (bytes != expectedBytes) {
            throw new FileFormatException(resource, "has " + bytes + " bytes, the manifest says " + expectedBytes
                    + ": the resource is truncated or replaced");
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(entry.path("sha256").asText())) {
            throw new FileFormatException(resource, "has SHA-256 " + actual + ", the manifest says "
                    + entry.path("sha256").asText() + ": the resource is corrupted");
        }
    }

    /** The SHA-256 of a file's bytes, in lower-case hex, as the manifest records it. */
    public static String sha256(Path file) throws IOException {
        return com.google.common.io.Files.asByteSource(file.toFile()).hash(Hashing.sha256()).toString();
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

}
