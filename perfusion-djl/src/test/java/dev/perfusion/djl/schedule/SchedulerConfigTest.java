package dev.perfusion.djl.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.Scheduler;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.schedule.SamplerSettings;
import dev.perfusion.core.schedule.SchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every key of diffusers' four scheduler classes that would change their output, and that this port does not
 * implement, is refused with the file and the key (the implemented ones have parity cases in SamplerParityTest).
 */
class SchedulerConfigTest {

    private static final SchedulerConfig SD1 = SchedulerConfig.SD1;

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(Scheduler.DDIM, "thresholding", true),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "thresholding", true),
                Arguments.of(Scheduler.EULER, "use_exponential_sigmas", true),
                Arguments.of(Scheduler.EULER, "use_beta_sigmas", true),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "use_exponential_sigmas", true),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "use_beta_sigmas", true),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "use_lu_lambdas", true),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "use_flow_sigmas", true),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "use_dynamic_shifting", true),
                Arguments.of(Scheduler.EULER, "interpolation_type", "log_linear"),
                Arguments.of(Scheduler.EULER, "timestep_type", "continuous"),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "solver_order", 3),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "algorithm_type", "sde-dpmsolver++"),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "solver_type", "bogus"),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "variance_type", "learned_range"),
                Arguments.of(Scheduler.DPM_SOLVER_PP_2M, "final_sigmas_type", "bogus"),
                Arguments.of(Scheduler.EULER, "prediction_type", "sample"),
                Arguments.of(Scheduler.EULER_ANCESTRAL, "prediction_type", "sample"),
                Arguments.of(Scheduler.DDIM, "beta_schedule", "sigmoid"),
                Arguments.of(Scheduler.DDIM, "timestep_spacing", "karras"));
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("refused")
    void aSettingThisPortDoesNotImplementIsRefusedByKeyAndFile(Scheduler kind, String key, Object value) {
        assertThatThrownBy(() -> Sampler.create(kind, SD1.with(key, value), 10, 0, (m, s) -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheduler_config.json")
                .hasMessageContaining("'" + key + "'");
    }

    @Test
    void keysAnotherSchedulerTakesAreIgnoredAsDiffusersIgnoresThem() {
        SchedulerConfig dpmOnly = SD1.with("solver_order", 3).with("use_lu_lambdas", true);
        assertThat(Sampler.create(Scheduler.EULER, dpmOnly, 10, 0, (m, s) -> null).timesteps()).hasSize(10);
        SchedulerConfig ddimOnly = SD1.with("thresholding", true);
        assertThat(Sampler.create(Scheduler.EULER, ddimOnly, 10, 0, (m, s) -> null).timesteps()).hasSize(10);
    }

    @Test
    void eachSamplerGetsItsOwnDefaultsForKeysTheFileLeavesOut() {
        SchedulerConfig bare = SchedulerConfig.of(Map.of());
        assertThat(SamplerSettings.of(bare, Scheduler.DDIM).clipSample()).isTrue();
        assertThat(SamplerSettings.of(bare, Scheduler.DDIM).setAlphaToOne()).isTrue();
        assertThat(SamplerSettings.of(bare, Scheduler.DDIM).timestepSpacing()).isEqualTo("leading");
        assertThat(SamplerSettings.of(bare, Scheduler.EULER).timestepSpacing()).isEqualTo("linspace");
        assertThat(SamplerSettings.of(SD1, Scheduler.DDIM).clipSample()).isFalse();
        assertThat(SamplerSettings.of(SD1, Scheduler.DPM_SOLVER_PP_2M_KARRAS).karras()).isTrue();
        assertThat(SamplerSettings.of(SD1, Scheduler.DPM_SOLVER_PP_2M).karras()).isFalse();
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("num_train_timesteps", 0, "expected 2 to 100000"),
                Arguments.of("num_train_timesteps", -5, "expected 2 to 100000"),
                Arguments.of("num_train_timesteps", 2_000_000_000, "expected 2 to 100000"),
                Arguments.of("num_train_timesteps", "1000", "expected a whole number"),
                Arguments.of("beta_end", 1.5, "betas must lie in (0, 1)"),
                Arguments.of("beta_start", 0, "betas must lie in (0, 1)"),
                Arguments.of("beta_start", "0.00085", "expected a finite number"),
                Arguments.of("trained_betas", List.of(0.1, 0.2), "has 2 betas, num_train_timesteps is 1000"),
                Arguments.of("clip_sample", "yes", "expected true or false"),
                Arguments.of("steps_offset", -1, "expected 0 to 999"),
                Arguments.of("prediction_type", 3, "expected a string"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("broken")
    void aValueThatWouldCrashOrDarkenTheImageIsRefusedByKeyAndFile(String key, Object value, String message) {
        assertThatThrownBy(() -> Sampler.create(Scheduler.DDIM, SD1.with(key, value), 10, 0, (m, s) -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheduler_config.json: '" + key + "'")
                .hasMessageContaining(message);
    }

    @Test
    void malformedFilesAreNamed(@TempDir Path dir) throws IOException {
        Path broken = Files.writeString(dir.resolve("scheduler_config.json"), "{\"beta_start\": ");
        assertThatThrownBy(() -> SchedulerConfig.read(broken)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining(broken.toString()).hasMessageContaining("not valid JSON");
        Path list = Files.writeString(dir.resolve("list.json"), "[1, 2]");
        assertThatThrownBy(() -> SchedulerConfig.read(list)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("not a JSON object");
        Path infinite = Files.writeString(dir.resolve("inf.json"), "{\"lambda_min_clipped\": -Infinity}");
        assertThat(SamplerSettings.of(SchedulerConfig.read(infinite), Scheduler.DPM_SOLVER_PP_2M).lambdaMinClipped())
                .isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void etaIsDdimsAlone() {
        assertThat(Sampler.create(Scheduler.DDIM, SD1, 10, 0.5, (m, s) -> null).timesteps()).hasSize(10);
        assertThatThrownBy(() -> Sampler.create(Scheduler.EULER, SD1, 10, 0.5, (m, s) -> null))
                .hasMessageContaining("eta must be finite and >= 0, and is DDIM's alone");
    }
}
