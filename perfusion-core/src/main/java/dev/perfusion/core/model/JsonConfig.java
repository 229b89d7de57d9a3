package dev.perfusion.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model component's {@code config.json}, read strictly: a value of the wrong JSON type or outside its range fails
 * with the file and the key instead of being read as a default, and a missing required key is named.
 */
public final class JsonConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    private JsonConfig(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /** Reads a JSON object from {@code file}. */
    public static JsonConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "a model component's config is read from it");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new FileFormatException(file, "is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FileFormatException(file, "is not a JSON object of settings");
        }
        return new JsonConfig(file, root);
    }

    public Path file() {
        return file;
    }

    /** Whether the key is present and not null. */
    public boolean has(String key) {
        return root.hasNonNull(key);
    }

    /** A whole number in [min, max], or {@code fallback} when absent or null. */
    public int integer(String key, int fallback, int min, int max) throws FileFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        return checked(key, v, min, max);
    }

    /** A required whole number in [min, max]. */
    public int requiredInteger(String key, int min, int max) throws FileFormatException {
        return checked(key, required(key), min, max);
    }

    /** A finite number in [min, max], or {@code fallback}. */
    public double number(String key, double fallback, double min, double max) throws FileFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw invalid(key, v, "a finite number");
        }
        double d = v.doubleValue();
        if (d < min || d > max) {
            throw invalid(key, v, "a number in [" + min + ", " + max + "]");
        }
        return d;
    }

    /** true or false, or {@code fallback}. */
    public boolean flag(String key, boolean fallback) throws FileFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw invalid(key, v, "true or false");
        }
        return v.booleanValue();
    }

    /** A string, or {@code fallback}. */
    public String text(String key, String fallback) throws FileFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw invalid(key, v, "a string");
        }
        return v.textValue();
    }

    /** A string if present. */
    public Optional<String> optionalText(String key) throws FileFormatException {
        return has(key) ? Optional.of(text(key, null)) : Optional.empty();
    }

    /** A required non-empty list of strings. */
    public List<String> strings(String key) throws FileFormatException {
        JsonNode v = required(key);
        if (!v.isArray() || v.isEmpty()) {
            throw invalid(key, v, "a non-empty list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw invalid(key, v, "a list of strings");
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** A required non-empty list of whole numbers in [min, max], at most {@code maxLength} long. */
    public List<Integer> integers(String key, int min, int max, int maxLength) throws FileFormatException {
        JsonNode v = required(key);
        if (!v.isArray() || v.isEmpty() || v.size() > maxLength) {
            throw invalid(key, v, "a list of 1 to " + maxLength + " whole numbers");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            out.add(checked(key, e, min, max));
        }
        return out;
    }

    /**
     * One whole number in [min, max] per level, written as one number for all or as a list of {@code levels};
     * {@code fallback} for each when absent.
     */
    public List<Integer> perLevel(String key, int levels, int fallback, int min, int max) throws FileFormatException {
        JsonNode v = root.get(key);
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            for (int i = 0; i < levels; i++) {
                out.add(fallback);
            }
        } else if (v.isArray()) {
            if (v.size() != levels) {
                throw invalid(key, v, levels + " values, one per level");
            }
            for (JsonNode e : v) {
                out.add(checked(key, e, min, max));
            }
        } else {
            int one = checked(key, v, min, max);
            for (int i = 0; i < levels; i++) {
                out.add(one);
            }
        }
        return out;
    }

    /** A refusal naming the file and the problem. */
    public FileFormatException refuse(String problem) {
        return new FileFormatException(file, problem);
    }

    private JsonNode required(String key) throws FileFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            throw new FileFormatException(file, "has no '" + key + "'");
        }
        return v;
    }

    private int checked(String key, JsonNode v, int min, int max) throws FileFormatException {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw invalid(key, v, "a whole number");
        }
        int i = v.intValue();
        if (i < min || i > max) {
            throw invalid(key, v, "a whole number in [" + min + ", " + max + "]");
        }
        return i;
    }

    private FileFormatException invalid(String key, JsonNode value, String expected) {
        String shown = value.toString();
        return new FileFormatException(file, "'" + key + "' is " + (shown.length() > 80 ? shown.substring(0, 80) + "..."
                : shown) + ", expected " + expected);
    }
}
