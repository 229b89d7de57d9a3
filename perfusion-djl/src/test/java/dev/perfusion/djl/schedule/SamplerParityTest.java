package dev.perfusion.djl.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.Scheduler;
import dev.perfusion.core.safetensors.SafeTensorsReader;
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

/** Every sampler against diffusers: timesteps, sigmas, input scaling and whole trajectories. */
class SamplerParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final double TOLERANCE = 1e-5;
    private static SafeTensorsReader reference;

    @BeforeAll
    static void open() throws IOException {
        reference = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("schedulers.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        reference.close();
    }

    static Stream<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(Fixtures.REFERENCE.resolve("schedulers.json").toFile()).forEach(out::add);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void samplerMatchesDiffusers(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        SchedulerConfig base = SchedulerConfig.read(Fixtures.MODEL.resolve("scheduler/scheduler_config.json"));
        SchedulerConfig config = new SchedulerConfig(base.numTrainTimesteps(), base.betaStart(), base.betaEnd(),
                base.betaSchedule(), c.get("prediction_type").asText(),
                c.get("timestep_spacing").isNull() ? null : c.get("timestep_spacing").asText(), base.stepsOffset(),
                base.setAlphaToOne());
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray noise = Fixtures.array(m, reference, name + ".noise");
            int[] drawn = {0};
            NoiseSource replay = (mm, shape) -> noise.get(new NDIndex("{}", drawn[0]++));
            Sampler sampler = Sampler.create(Scheduler.valueOf(c.get("kind").asText()), new NoiseSchedule(config),
                    c.get("steps").asInt(), replay);

            double[] timesteps = reference.readDoubles(name + ".timesteps");
            assertThat(sampler.timesteps()).containsExactly(timesteps,
                    within(TOLERANCE * config.numTrainTimesteps()));
            assertThat(sampler.initNoiseSigma()).isCloseTo(reference.readDoubles(name + ".init_noise_sigma")[0],
                    within(TOLERANCE * sampler.initNoiseSigma()));
            if (reference.tensors().containsKey(name + ".sigmas")) {
                double[] sigmas = sampler instanceof EulerSampler e ? e.sigmas()
                        : ((DpmSolverPlusPlus2M) sampler).sigmas();
                double[] expected = reference.readDoubles(name + ".sigmas");
                for (int i = 0; i < expected.length; i++) {
                    assertThat(sigmas[i]).as("sigma %d", i).isCloseTo(expected[i], within(TOLERANCE * expected[0]));
                }
            }

            NDArray outputs = Fixtures.array(m, reference, name + ".outputs");
            NDArray scaled = Fixtures.array(m, reference, name + ".scaled");
            NDArray trajectory = Fixtures.array(m, reference, name + ".trajectory");
            NDArray sample = Fixtures.array(m, reference, name + ".x");
            for (int i = 0; i < sampler.timesteps().length; i++) {
                NDIndex at = new NDIndex("{}", i);
                assertThat(Fixtures.maxRelativeError(sampler.scaleModelInput(sample, i), scaled.get(at)))
                        .as("scaled input %d", i).isLessThan(TOLERANCE);
                sample = sampler.step(outputs.get(at), i, sample);
                assertThat(Fixtures.maxRelativeError(sample, trajectory.get(at))).as("step %d", i)
                        .isLessThan(TOLERANCE);
            }
            sampler.close();
        }
    }
}
