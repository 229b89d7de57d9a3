package dev.perfusion.core.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A diffusers {@code scheduler/scheduler_config.json} as written: the keys present and their values. Diffusers gives
 * the keys a file leaves out each scheduler class's own defaults (DDIM clips samples by default, the others have no
 * such key), so the values are read per sampler, with that sampler's defaults, by {@link SamplerSettings}, which also
 * refuses by name every key whose value would make diffusers sample differently from this port.
 *
 * <p>Immutable. A value of the wrong JSON type fails with the file and the key.
 */
public final class SchedulerConfig {

    /** Python's json writes -inf (DPM-Solver's lambda_min_clipped) as -Infinity, so the reader accepts it. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** Stable Diffusion 1.x's schedule, as its {@code scheduler_config.json} writes it. */
    public static final SchedulerConfig SD1 = of(Map.of("num_train_timesteps", 1000, "beta_start", 0.00085,
            "beta_end", 0.012, "beta_schedule", "scaled_linear", "prediction_type", "epsilon", "steps_offset", 1,
            "set_alpha_to_one", false, "clip_sample", false));

    private final Map<String, JsonNode> values;
    private final Path source;

    private SchedulerConfig(Map<String, JsonNode> values, Path source) {
        this.values = Map.copyOf(values);
        this.source = source;
    }

    /** Reads {@code scheduler_config.json}; malformed JSON or a non-object names the file. */
    public static SchedulerConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "the noise schedule is read from it");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new FileFormatException(file, "is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FileFormatException(file, "is not a JSON object of scheduler settings");
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            values.put(e.getKey(), e.getValue());
        }
        return new SchedulerConfig(values, file);
    }

    /** A config of the given values, as if read from a file named {@code scheduler_config.json}. */
    public static SchedulerConfig of(Map<String, ?> values) {
        ObjectNode node = JSON.valueToTree(values);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return new SchedulerConfig(out, Path.of("scheduler_config.json"));
    }

    /** This config with one value replaced or added. */
    public SchedulerConfig with(String key, Object value) {
        Map<String, JsonNode> out = new LinkedHashMap<>(values);
        out.put(key, JSON.valueToTree(value));
        return new SchedulerConfig(out, source);
    }

    /** The file the config came from, for messages. */
    public Path source() {
        return source;
    }

    /** Whether the file sets {@code key} (to anything, null included). */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value of a key, if present and not null. */
    Optional<JsonNode> raw(String key) {
        JsonNode v = values.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    /** The value of a key as JSON, null where absent. */
    public JsonNode value(String key) {
        return values.get(key);
    }

    /** Every key the file sets. */
    public java.util.Set<String> keys() {
        return values.keySet();
    }

    int integer(String key, int fallback) {
        JsonNode v = raw(key).orElse(null);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw invalid(key, v, "a whole number");
        }
        return v.intValue();
    }

    double number(String key, double fallback) {
        JsonNode v = raw(key).orElse(null);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw invalid(key, v, "a finite number");
        }
        return v.doubleValue();
    }

    /** A number that may be absent or null, or {@code fallback}. */
    Optional<Double> optionalNumber(String key) {
        return raw(key).map(v -> {
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw invalid(key, v, "a finite number or null");
            }
            return v.doubleValue();
        });
    }

    boolean flag(String key, boolean fallback) {
        JsonNode v = raw(key).orElse(null);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw invalid(key, v, "true or false");
        }
        return v.booleanValue();
    }

    String text(String key, String fallback) {
        JsonNode v = raw(key).orElse(null);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw invalid(key, v, "a string");
        }
        return v.textValue();
    }

    /** A list of numbers, if present and not null. */
    Optional<double[]> numbers(String key) {
        return raw(key).map(v -> {
            if (!v.isArray()) {
                throw invalid(key, v, "a list of numbers or null");
            }
            double[] out = new double[v.size()];
            for (int i = 0; i < out.length; i++) {
                if (!v.get(i).isNumber() || !Double.isFinite(v.get(i).doubleValue())) {
                    throw invalid(key, v.get(i), "finite numbers");
                }
                out[i] = v.get(i).doubleValue();
            }
            return out;
        });
    }

    /** A refusal of a key's value, naming the file and the key. */
    IllegalArgumentException invalid(String key, JsonNode value, String expected) {
        return new IllegalArgumentException(source + ": '" + key + "' is " + value + ", expected " + expected);
    }

    /** A refusal of a key's value, naming the file and the key. */
    IllegalArgumentException refuse(String key, String why) {
        return new IllegalArgumentException(source + ": '" + key + "' " + why);
    }

    @Override
    public String toString() {
        return source + " " + values;
    }
}
