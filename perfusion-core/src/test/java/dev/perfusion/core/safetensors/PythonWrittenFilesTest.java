package dev.perfusion.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.Gate;
import dev.perfusion.core.concept.ConceptFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written by Python's {@code safetensors} library (see {@code make_fixtures.py python-files}), not by our
 * writer, read back against the values Python recorded beside them.
 */
class PythonWrittenFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void halfBfloatAndSingleTensorsReadToTheValuesPythonRecorded() throws Exception {
        JsonNode expected = JSON.readTree(fixture("tensors.json").toFile());
        Map<String, DType> dtypes = Map.of("f16", DType.F16, "bf16", DType.BF16, "f32", DType.F32,
                "f16_extremes", DType.F16);
        try (SafeTensorsReader reader = SafeTensorsReader.open(fixture("tensors.safetensors"))) {
            assertThat(reader.metadata()).containsEntry("written_by", "safetensors.torch");
            assertThat(reader.tensors().keySet()).containsExactlyInAnyOrderElementsOf(dtypes.keySet());
            for (var entry : dtypes.entrySet()) {
                String name = entry.getKey();
                JsonNode e = expected.get(name);
                assertThat(reader.tensor(name).dtype()).as(name).isEqualTo(entry.getValue());
                assertThat(reader.tensor(name).shape()).as(name)
                        .containsExactly(JSON.treeToValue(e.get("shape"), long[].class));
                assertThat(reader.readFloats(name)).as(name).containsExactly(floats(e.get("values")));
            }
        }
    }

    @Test
    void aConceptFileWrittenByPythonReadsWithEveryField() throws Exception {
        JsonNode expected = JSON.readTree(fixture("teapot.json").toFile());
        JsonNode tensors = expected.get("tensors");
        Concept concept = ConceptFile.read(fixture("teapot.perfusion"));

        assertThat(concept.name()).isEqualTo("teapot");
        assertThat(concept.supercategory()).isEqualTo("teapot");
        assertThat(concept.baseModel()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(concept.method()).isEqualTo(ConceptMethod.TRAINED_KEYS);
        assertThat(concept.keyGate()).isEqualTo(new Gate(0.6, 0.15));
        assertThat(concept.valueGate()).isEqualTo(new Gate(0.75, 0.1));
        assertThat(concept.training()).containsEntry("steps", "400").containsEntry("written_by", "safetensors.torch");
        List<String> layers = List.of("down_blocks.0.attentions.0.transformer_blocks.0.attn2",
                "up_blocks.1.attentions.2.transformer_blocks.0.attn2");
        assertThat(concept.layers()).containsExactlyElementsOf(layers);
        assertThat(concept.tokenEmbedding()).containsExactly(floats(tensors.get("token_embedding")));
        assertThat(concept.conceptInput()).containsExactly(floats(tensors.get("concept_input")));
        assertThat(concept.supercategoryInput()).containsExactly(floats(tensors.get("supercategory_input")));
        for (String layer : layers) {
            assertThat(concept.valueTarget(layer)).as(layer)
                    .containsExactly(floats(tensors.get("value_target." + layer)));
            assertThat(concept.keyTargets().get(layer)).as("F16 and F32 key targets")
                    .containsExactly(floats(tensors.get("key_target." + layer)));
        }
    }

    private static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(PythonWrittenFilesTest.class.getResource("/fixtures/python/" + name).toURI());
    }
}
