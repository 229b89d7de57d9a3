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
import dev.perfusion.core.schedule.SchedulerConfig;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    private static SafeTensorsReader options;

    @BeforeAll
    static void openOptions() throws IOException {
        options = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("scheduler_options.safetensors"));
    }

    @AfterAll
    static void closeOptions() throws IOException {
        options.close();
    }

    static Stream<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(Fixtures.REFERENCE.resolve("schedulers.json").toFile()).forEach(out::add);
        return out.stream();
    }

    static Stream<JsonNode> optionCases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(Fixtures.REFERENCE.resolve("scheduler_options.json").toFile()).forEach(out::add);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void samplerMatchesDiffusers(JsonNode c) throws IOException {
        SchedulerConfig config = SchedulerConfig.read(Fixtures.MODEL.resolve("scheduler/scheduler_config.json"))
                .with("prediction_type", c.get("prediction_type").asText());
        if (!c.get("timestep_spacing").isNull()) {
            config = config.with("timestep_spacing", c.get("timestep_spacing").asText());
        }
        check(reference, c.get("name").asText(), Scheduler.valueOf(c.get("kind").asText()), config,
                c.get("steps").asInt(), 0);
    }

    /** Karras sigmas, DDIM's eta and clipping, zero terminal SNR, other betas and DPM-Solver's variants. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optionCases")
    void samplerOptionsMatchDiffusers(JsonNode c) throws IOException {
        Map<String, Object> values = new ObjectMapper().convertValue(c.get("config"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        check(options, c.get("name").asText(), Scheduler.valueOf(c.get("kind").asText()), SchedulerConfig.of(values),
                c.get("steps").asInt(), c.get("eta").asDouble());
    }

    private static void check(SafeTensorsReader reference, String name, Scheduler kind, SchedulerConfig config,
            int steps, double eta) throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray noise = Fixtures.array(m, reference, name + ".noise");
            int[] drawn = {0};
            NoiseSource replay = (mm, shape) -> noise.get(new NDIndex("{}", drawn[0]++));
            Sampler sampler = Sampler.create(kind, config, steps, eta, replay);

            double[] timesteps = reference.readDoubles(name + ".timesteps");
            assertThat(sampler.timesteps()).containsExactly(timesteps,
                    within(TOLERANCE * 1000));
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
            NDArray start = Fixtures.array(m, reference, name + ".x");
            // Each step fed diffusers' own sample: a step's float32 rounding scales with its operands, so where the
            // sample is far larger than the result (zero terminal SNR's first sigma, 4096) it is measured against it.
            NDArray sample = start;
            drawn[0] = 0;
            for (int i = 0; i < sampler.timesteps().length; i++) {
                NDIndex at = new NDIndex("{}", i);
                assertThat(Fixtures.maxRelativeError(sampler.scaleModelInput(sample, i), scaled.get(at)))
                        .as("scaled input %d", i).isLessThan(TOLERANCE);
                double inputScale = sample.abs().max().getFloat();
                NDArray expected = trajectory.get(at);
                double outputScale = expected.abs().max().getFloat();
                assertThat(Fixtures.maxRelativeError(sampler.step(outputs.get(at), i, sample), expected) * outputScale
                        / Math.max(inputScale, outputScale)).as("step %d", i).isLessThan(TOLERANCE);
                sample = expected;
            }
            // The whole trajectory run free, where rounding may accumulate over the steps.
            drawn[0] = 0;
            try (Sampler free = Sampler.create(kind, config, steps, eta, replay)) {
                NDArray current = start;
                for (int i = 0; i < free.timesteps().length; i++) {
                    current = free.step(outputs.get(new NDIndex("{}", i)), i, current);
                }
                NDArray last = trajectory.get(new NDIndex("{}", free.timesteps().length - 1));
                assertThat(Fixtures.maxRelativeError(current, last) * last.abs().max().getFloat()
                        / Math.max(start.abs().max().getFloat(), last.abs().max().getFloat()))
                        .as("final sample").isLessThan(10 * TOLERANCE);
            }
            sampler.close();
        }
    }
}
