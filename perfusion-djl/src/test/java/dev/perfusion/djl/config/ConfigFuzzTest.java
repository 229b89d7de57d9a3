package dev.perfusion.djl.config;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.api.Scheduler;
import dev.perfusion.core.io.Folders;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.model.ModelIndex;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.core.schedule.SchedulerConfig;
import dev.perfusion.djl.clip.ClipTextModel;
import dev.perfusion.djl.schedule.Sampler;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import dev.perfusion.djl.vae.AutoencoderKL;
import dev.perfusion.djl.weights.InitialWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates real configs (wrong types, zero, negative, huge, missing and extra keys, broken files) and reads each as
 * the SDK would, building and running the tiny model where the config is accepted. Every refusal must be a
 * FileFormatException or IllegalArgumentException that names the file; anything else (a raw Jackson, arithmetic,
 * null-pointer, out-of-memory or native error) fails the test.
 */
class ConfigFuzzTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Object> VALUES = List.of("text", true, List.of(), Map.of(), 0, -1, -7.5,
            2147483648L, 1e300, 1_000_000, List.of("x"), 3.5);

    @FunctionalInterface
    interface Reader {
        void read(Path file) throws Exception;
    }

    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private int mutants;

    @Test
    void everyMutatedConfigIsReadOrRefusedByFileNeverCrashes(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        Folders.copyTree(Fixtures.MODEL, model);
        fuzz(dir, Fixtures.MODEL.resolve("unet/config.json"), "unet", file -> {
            UNetConfig c = UNetConfig.read(file);
            if (c.blockOutChannels().stream().allMatch(v -> v <= 64) && c.crossAttentionDim() <= 64
                    && c.layersPerBlock() <= 3 && c.transformerLayers().stream().allMatch(v -> v <= 2)) {
                try (NDManager m = ENGINE.manager().newSubManager()) {
                    UNet2DConditionModel unet = UNet2DConditionModel.build(c, new InitialWeights(m, 1, k -> false), m);
                    unet.forward(m.zeros(new Shape(1, c.inChannels(), 8, 8)), m.create(new float[] {10}),
                            m.zeros(new Shape(1, 3, c.crossAttentionDim()))).toFloatArray();
                }
            }
        });
        fuzz(dir, Path.of("src/test/resources/configs/sd15-unet-config.json"), "sd15", UNetConfig::read);
        fuzz(dir, Fixtures.MODEL.resolve("vae/config.json"), "vae", file -> {
            VaeConfig c = VaeConfig.read(file);
            if (c.blockOutChannels().stream().allMatch(v -> v <= 64) && c.layersPerBlock() <= 3) {
                try (NDManager m = ENGINE.manager().newSubManager()) {
                    AutoencoderKL vae = AutoencoderKL.build(c, new InitialWeights(m, 1, k -> false), m);
                    int side = 1 << (c.blockOutChannels().size() - 1);
                    vae.decode(m.zeros(new Shape(1, c.latentChannels(), 2, 2))).toFloatArray();
                    vae.encode(m.zeros(new Shape(1, c.inChannels(), 2 * side, 2 * side))).mean().toFloatArray();
                }
            }
        });
        fuzz(dir, Fixtures.MODEL.resolve("text_encoder/config.json"), "clip", file -> {
            ClipTextConfig c = ClipTextConfig.read(file);
            if (c.hiddenSize() <= 64 && c.vocabSize() <= 5000 && c.numHiddenLayers() <= 4
                    && c.intermediateSize() <= 256) {
                try (NDManager m = ENGINE.manager().newSubManager()) {
                    ClipTextModel text = ClipTextModel.build(c, m, new InitialWeights(m, 1, k -> false));
                    text.forward(m.zeros(new Shape(1, Math.min(5, c.maxPositionEmbeddings()))).toType(
                            ai.djl.ndarray.types.DataType.INT64, false)).toFloatArray();
                }
            }
        });
        fuzz(dir, Fixtures.MODEL.resolve("scheduler/scheduler_config.json"), "scheduler", file -> {
            SchedulerConfig c = SchedulerConfig.read(file);
            for (Scheduler kind : Scheduler.values()) {
                try {
                    Sampler.create(kind, c, 10, 0, (m, s) -> null).close();
                } catch (IllegalArgumentException e) {
                    if (!e.getMessage().contains(file.toString()) && !e.getMessage().startsWith("steps must")) {
                        throw e;
                    }
                }
            }
        });
        fuzz(dir, Fixtures.MODEL.resolve("model_index.json"), "index", file -> {
            Files.copy(file, model.resolve("model_index.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ModelIndex.check(model);
        });

        System.out.printf("config fuzz: %d mutated configs, outcomes %s%n", mutants, outcomes);
        assertThat(mutants).isGreaterThanOrEqualTo(500);
        assertThat(failures).as("raw exceptions").isEmpty();
        assertThat(outcomes.keySet()).contains("accepted", "FileFormatException");
    }

    private void fuzz(Path dir, Path source, String label, Reader reader) throws IOException {
        String original = Files.readString(source);
        ObjectNode root = (ObjectNode) JSON.readTree(original);
        List<String> keys = new ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        int n = 0;
        for (String key : keys) {
            for (Object value : VALUES) {
                ObjectNode copy = root.deepCopy();
                copy.set(key, JSON.valueToTree(value));
                run(dir, label + "-" + n++, copy.toString(), reader, key + "=" + value);
            }
            ObjectNode missing = root.deepCopy();
            missing.remove(key);
            run(dir, label + "-" + n++, missing.toString(), reader, "without " + key);
        }
        ObjectNode extra = root.deepCopy();
        extra.put("bogus_key", 1);
        run(dir, label + "-" + n++, extra.toString(), reader, "extra key");
        for (String broken : List.of(original.substring(0, original.length() / 2), "", "[]", "null", "{\"a\": }")) {
            run(dir, label + "-" + n++, broken, reader, "broken file");
        }
    }

    private void run(Path dir, String name, String content, Reader reader, String what) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Path file = folder.resolve("config.json");
        Files.writeString(file, content);
        mutants++;
        String outcome;
        try {
            reader.read(file);
            outcome = "accepted";
        } catch (dev.perfusion.core.io.FileFormatException | IllegalArgumentException e) {
            outcome = e.getClass().getSimpleName();
            String named = label(name).equals("index") ? "model_index.json" : file.toString();
            if (!String.valueOf(e.getMessage()).contains(named)) {
                failures.add(name + " (" + what + "): message does not name the file: " + e);
            }
        } catch (Throwable e) {
            outcome = "raw " + e.getClass().getSimpleName();
            failures.add(name + " (" + what + "): " + e);
        }
        outcomes.merge(outcome, 1, Integer::sum);
    }

    /** The source label of a mutant's name, such as "index" of "index-12". */
    private static String label(String name) {
        return name.substring(0, name.lastIndexOf('-'));
    }
}
