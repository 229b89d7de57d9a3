package dev.perfusion.djl.schedule;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A diffusers {@code scheduler/scheduler_config.json}: the training noise schedule every sampler shares. Keys a
 * file leaves out take diffusers' defaults; {@code timestep_spacing} falls back to each sampler's own default.
 *
 * @param numTrainTimesteps timesteps of the training schedule (1000)
 * @param betaStart         first beta
 * @param betaEnd           last beta
 * @param betaSchedule      "linear" or "scaled_linear" (SD 1.x)
 * @param predictionType    what the UNet predicts: "epsilon" or "v_prediction"
 * @param timestepSpacing   "leading", "linspace" or "trailing"; null for the sampler's default
 * @param stepsOffset       added to "leading" timesteps (1 for SD 1.x)
 * @param setAlphaToOne     DDIM: whether the step past the last uses alpha 1
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchedulerConfig(
        @JsonProperty("num_train_timesteps") int numTrainTimesteps,
        @JsonProperty("beta_start") double betaStart,
        @JsonProperty("beta_end") double betaEnd,
        @JsonProperty("beta_schedule") String betaSchedule,
        @JsonProperty("prediction_type") String predictionType,
        @JsonProperty("timestep_spacing") String timestepSpacing,
        @JsonProperty("steps_offset") int stepsOffset,
        @JsonProperty("set_alpha_to_one") boolean setAlphaToOne) {

    /** Stable Diffusion 1.x's schedule. */
    public static final SchedulerConfig SD1 = new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", "epsilon",
            null, 1, false);

    public SchedulerConfig {
        if (numTrainTimesteps == 0) {
            numTrainTimesteps = 1000;
        }
        if (betaStart == 0 && betaEnd == 0) {
            betaStart = 0.0001;
            betaEnd = 0.02;
        }
        betaSchedule = betaSchedule == null ? "linear" : betaSchedule;
        predictionType = predictionType == null ? "epsilon" : predictionType;
        if (!betaSchedule.equals("linear") && !betaSchedule.equals("scaled_linear")) {
            throw new IllegalArgumentException("beta_schedule '" + betaSchedule
                    + "' is not supported (linear, scaled_linear)");
        }
        if (!predictionType.equals("epsilon") && !predictionType.equals("v_prediction")) {
            throw new IllegalArgumentException("prediction_type '" + predictionType
                    + "' is not supported (epsilon, v_prediction)");
        }
        if (timestepSpacing != null && !timestepSpacing.equals("leading") && !timestepSpacing.equals("linspace")
                && !timestepSpacing.equals("trailing")) {
            throw new IllegalArgumentException("timestep_spacing '" + timestepSpacing
                    + "' is not supported (leading, linspace, trailing)");
        }
    }

    /** Reads {@code scheduler_config.json}. */
    public static SchedulerConfig read(Path file) throws IOException {
        try {
            return new ObjectMapper().readValue(file.toFile(), SchedulerConfig.class);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new FileFormatException(file, "is not a scheduler config: " + e.getOriginalMessage(), e);
        }
    }

    /** The spacing to use: the file's, else the sampler's default. */
    String spacing(String samplerDefault) {
        return timestepSpacing != null ? timestepSpacing : samplerDefault;
    }

    boolean vPrediction() {
        return predictionType.equals("v_prediction");
    }
}
