package dev.perfusion.core.concept;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.Gate;
import dev.perfusion.api.KeyLockForm;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.Float16;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code .perfusion} concept file: a safetensors container holding one {@link Concept}.
 *
 * <p>Tensors, all 1-D: {@code token_embedding}, {@code concept_input} ({@code i*}), {@code supercategory_input}
 * ({@code i_s}), {@code value_target.<layer>} per edited layer and optionally {@code key_target.<layer>}.
 * Metadata: {@code format} ("perfusion-concept"), {@code format_version}, {@code name}, {@code supercategory},
 * {@code base_model}, {@code layers} (JSON array, model order), {@code key_gate} and {@code value_gate} (JSON
 * objects with {@code bias} and {@code temperature}), {@code training} (JSON object of strings) and, from version 2,
 * {@code method} ("perfusion", "textual-inversion" or "trained-keys"; version 1 files are Perfusion concepts) and,
 * from version 3, {@code edit_scope} ("all-tokens" or "concept-token"; older files reach all tokens) and, from
 * version 4, {@code key_lock_form} ("gated" or "proportional"; older files use the paper's gated form).
 *
 * <p>Writes are atomic; reads validate the container and the concept, and name the file and the problem.
 */
public final class ConceptFile {

    /** The {@code format} metadata value. */
    public static final String FORMAT = "perfusion-concept";
    /**
     * The format version this SDK writes and the newest it reads: 2 added {@code method} (1 is read as Perfusion),
     * 3 added {@code edit_scope} (1 and 2 are read as reaching all tokens), 4 added {@code key_lock_form} (1 to 3
     * are read as gated).
     */
    public static final int VERSION = 4;
    /** The conventional file suffix. */
    public static final String SUFFIX = ".perfusion";

    /** How the tensors are stored. */
    public enum Precision {
        /** Half precision: the default, about 30 KB for an SD 1.5 concept. */
        FP16(DType.F16),
        /** Single precision, twice the size, no rounding. */
        FP32(DType.F32);

        private final DType dtype;

        Precision(DType dtype) {
            this.dtype = dtype;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN_EMBEDDING = "token_embedding";
    private static final String CONCEPT_INPUT = "concept_input";
    private static final String SUPERCATEGORY_INPUT = "supercategory_input";
    private static final String VALUE_TARGET = "value_target.";
    private static final String KEY_TARGET = "key_target.";

    private ConceptFile() {
    }

    /** Writes a concept in half precision. */
    public static void write(Concept concept, Path file) throws IOException {
        write(concept, file, Precision.FP16);
    }

    /**
     * Writes a concept atomically: an existing file at {@code file} is replaced only by a complete new one.
     *
     * @throws IllegalArgumentException when a value does not fit the precision (beyond +-65504 in FP16)
     */
    public static void write(Concept concept, Path file, Precision precision) throws IOException {
        encode(concept, precision).write(file);
    }

    /** The file's bytes, as {@link #write(Concept, Path, Precision)} would write them. */
    public static byte[] toBytes(Concept concept, Precision precision) {
        return encode(concept, precision).toBytes();
    }

    private static SafeTensorsWriter encode(Concept concept, Precision precision) {
        SafeTensorsWriter writer = new SafeTensorsWriter()
                .metadata("format", FORMAT)
                .metadata("format_version", Integer.toString(VERSION))
                .metadata("name", concept.name())
                .metadata("supercategory", concept.supercategory())
                .metadata("base_model", concept.baseModel())
                .metadata("layers", json(List.copyOf(concept.layers())))
                .metadata("key_gate", json(gateMap(concept.keyGate())))
                .metadata("value_gate", json(gateMap(concept.valueGate())))
                .metadata("training", json(concept.training()))
                .metadata("method", concept.method().id())
                .metadata("edit_scope", concept.editScope().id())
                .metadata("key_lock_form", concept.keyLockForm().id());
        vector(writer, precision, TOKEN_EMBEDDING, concept.tokenEmbedding());
        vector(writer, precision, CONCEPT_INPUT, concept.conceptInput());
        vector(writer, precision, SUPERCATEGORY_INPUT, concept.supercategoryInput());
        concept.valueTargets().forEach((layer, v) -> vector(writer, precision, VALUE_TARGET + layer, v));
        concept.keyTargets().forEach((layer, v) -> vector(writer, precision, KEY_TARGET + layer, v));
        return writer;
    }

    /**
     * Reads and validates a concept file.
     *
     * @throws FileFormatException when the file is not a valid concept file of a version this SDK reads
     */
    public static Concept read(Path file) throws IOException {
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            Map<String, String> meta = reader.metadata();
            String format = meta.get("format");
            if (!FORMAT.equals(format)) {
                throw new FileFormatException(file, "is not a Perfusion concept file (format '" + format
                        + "', expected '" + FORMAT + "')");
            }
            int version = parseVersion(file, meta.get("format_version"));
            if (version < 1 || version > VERSION) {
                throw new FileFormatException(file, "has concept format version " + version
                        + "; this SDK reads versions 1 to " + VERSION);
            }
            List<String> layers = parseJson(file, meta, "layers", new TypeReference<List<String>>() { });
            Set<String> expected = new HashSet<>(List.of(TOKEN_EMBEDDING, CONCEPT_INPUT, SUPERCATEGORY_INPUT));
            Concept.Builder b = Concept.builder()
                    .name(required(file, meta, "name"))
                    .supercategory(required(file, meta, "supercategory"))
                    .baseModel(required(file, meta, "base_model"))
                    .keyGate(parseGate(file, meta, "key_gate"))
                    .valueGate(parseGate(file, meta, "value_gate"))
                    .training(parseJson(file, meta, "training", new TypeReference<Map<String, String>>() { }))
                    .method(parseNamed(file, version, 2, meta, "method", ConceptMethod.PERFUSION, ConceptMethod::of))
                    .editScope(parseNamed(file, version, 3, meta, "edit_scope", EditScope.ALL_TOKENS,
                            EditScope::of))
                    .keyLockForm(parseNamed(file, version, 4, meta, "key_lock_form", KeyLockForm.GATED,
                            KeyLockForm::of))
                    .tokenEmbedding(vector(reader, TOKEN_EMBEDDING))
                    .conceptInput(vector(reader, CONCEPT_INPUT))
                    .supercategoryInput(vector(reader, SUPERCATEGORY_INPUT));
            for (String layer : layers) {
                expected.add(VALUE_TARGET + layer);
                b.valueTarget(layer, vector(reader, VALUE_TARGET + layer));
                if (reader.tensors().containsKey(KEY_TARGET + layer)) {
                    expected.add(KEY_TARGET + layer);
                    b.keyTarget(layer, vector(reader, KEY_TARGET + layer));
                }
            }
            for (String name : reader.tensors().keySet()) {
                if (!expected.contains(name)) {
                    throw new FileFormatException(file, "has tensor '" + name
                            + "', which belongs to no layer listed in its metadata " + layers);
                }
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, e.getMessage(), e);
            }
        }
    }

    private static void vector(SafeTensorsWriter writer, Precision precision, String name, float[] values) {
        if (precision == Precision.FP16) {
            for (int i = 0; i < values.length; i++) {
                if (Math.abs(values[i]) > Float16.MAX_VALUE) {
                    throw new IllegalArgumentException("tensor '" + name + "': value " + values[i] + " at " + i
                            + " overflows half precision; write with Precision.FP32");
                }
            }
        }
        writer.addFloats(name, precision.dtype, new long[] {values.length}, values);
    }

    private static float[] vector(SafeTensorsReader reader, String name) throws IOException {
        TensorInfo info = reader.tensor(name);
        if (info.dtype() != DType.F16 && info.dtype() != DType.F32) {
            throw new FileFormatException(reader.file(), "tensor '" + name + "' has dtype " + info.dtype()
                    + ", expected F16 or F32");
        }
        if (info.shape().length != 1 || info.elements() == 0) {
            throw new FileFormatException(reader.file(), "tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(info.shape()) + ", expected one non-empty dimension");
        }
        float[] values = reader.readFloats(name);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new FileFormatException(reader.file(), "tensor '" + name + "' holds a non-finite value "
                        + values[i] + " at index " + i);
            }
        }
        return values;
    }

    /**
     * A named value of the metadata that version {@code since} added: parsed by {@code parser}, required from that
     * version on, {@code before} in older files.
     */
    private static <T> T parseNamed(Path file, int version, int since, Map<String, String> meta, String key,
            T before, java.util.function.Function<String, T> parser) throws FileFormatException {
        String value = meta.get(key);
        if (value == null) {
            if (version >= since) {
                throw new FileFormatException(file, "has no '" + key + "' in its metadata");
            }
            return before;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "metadata '" + key + "': " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> gateMap(Gate gate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bias", gate.bias());
        m.put("temperature", gate.temperature());
        return m;
    }

    private static Gate parseGate(Path file, Map<String, String> meta, String key) throws FileFormatException {
        Map<String, Double> m = parseJson(file, meta, key, new TypeReference<Map<String, Double>>() { });
        Double bias = m.get("bias");
        Double temperature = m.get("temperature");
        if (bias == null || temperature == null) {
            throw new FileFormatException(file, "metadata '" + key + "' needs bias and temperature, got " + m);
        }
        try {
            return new Gate(bias, temperature);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "metadata '" + key + "': " + e.getMessage(), e);
        }
    }

    private static String required(Path file, Map<String, String> meta, String key) throws FileFormatException {
        String value = meta.get(key);
        if (value == null) {
            throw new FileFormatException(file, "has no '" + key + "' in its metadata");
        }
        return value;
    }

    private static int parseVersion(Path file, String text) throws FileFormatException {
        if (text == null) {
            throw new FileFormatException(file, "has no 'format_version' in its metadata");
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new FileFormatException(file, "has an unreadable format_version '" + text + "'");
        }
    }

    private static <T> T parseJson(Path file, Map<String, String> meta, String key, TypeReference<T> type)
            throws FileFormatException {
        String text = required(file, meta, key);
        try {
            T value = JSON.readValue(text, type);
            if (value == null) {
                throw new FileFormatException(file, "metadata '" + key + "' is null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new FileFormatException(file, "metadata '" + key + "' is not the expected JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
