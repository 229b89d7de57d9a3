package dev.perfusion.djl.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.Progress;
import dev.perfusion.api.Scheduler;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole text-to-image runs against diffusers' StableDiffusionPipeline from the same initial latents. */
class StableDiffusionParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static StableDiffusion model;
    private static SafeTensorsReader ref;

    @BeforeAll
    static void load() throws IOException {
        model = StableDiffusion.load(Fixtures.MODEL, ENGINE.manager());
        ref = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("pipeline.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        ref.close();
        model.close();
    }

    static Stream<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(Fixtures.REFERENCE.resolve("pipeline.json").toFile()).forEach(out::add);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void finalLatentsAndImagesMatchDiffusers(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray conditional = model.encodePrompts(m, List.of(c.get("prompt").asText()));
            NDArray unconditional = model.encodePrompts(m, List.of(c.get("negative_prompt").asText()));
            List<Progress> progress = new ArrayList<>();

            NDArray latents = model.sample(Fixtures.array(m, ref, name + ".initial_latents"), conditional,
                    unconditional, java.util.Map.of(), Scheduler.valueOf(c.get("scheduler").asText()),
                    c.get("steps").asInt(),
                    c.get("guidance").asDouble(), 0, NoiseSource.seeded(0), progress::add);

            double latentError = Fixtures.maxRelativeError(latents, Fixtures.array(m, ref, name + ".final_latents"));
            NDArray expectedImage = Fixtures.array(m, ref, name + ".image").div(2).add(0.5).clip(0, 1);
            double imageError = Fixtures.maxRelativeError(model.decode(latents), expectedImage);
            System.out.printf("pipeline %s: final latents %.2e, image %.2e%n", name, latentError, imageError);
            assertThat(latentError).isLessThan(1e-3);
            assertThat(imageError).isLessThan(1e-3);
            assertThat(progress).hasSize(c.get("steps").asInt());
            assertThat(progress.get(progress.size() - 1).fraction()).isEqualTo(1.0);
        }
    }
}
