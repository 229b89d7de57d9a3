package dev.perfusion.core.schedule;

import dev.perfusion.api.Scheduler;
import java.util.Optional;
import java.util.Set;

/**
 * What one sampler reads from a {@link SchedulerConfig}, with that sampler's own defaults where the file is silent, as
 * diffusers' {@code from_config} gives them. Every key the matching diffusers class takes is either honoured here or,
 * when set to a value that would change diffusers' output and that this port does not implement, refused with the
 * file and the key; keys the class does not take are ignored by diffusers too, and so here (docs/stable-diffusion-port.md
 * lists them all).
 *
 * @param numTrainTimesteps steps of the training schedule
 * @param betaStart         first beta
 * @param betaEnd           last beta
 * @param betaSchedule      "linear", "scaled_linear" or "squaredcos_cap_v2"
 * @param trainedBetas      betas given outright, if any
 * @param rescaleZeroSnr    whether the betas are rescaled to zero terminal SNR
 * @param predictionType    "epsilon", "v_prediction" or (not Euler) "sample"
 * @param timestepSpacing   "leading", "linspace" or "trailing"
 * @param stepsOffset       added to "leading" timesteps
 * @param setAlphaToOne     DDIM: the step past the last uses alpha 1
 * @param clipSample        DDIM: the predicted clean sample is clipped
 * @param clipSampleRange   DDIM: to this range
 * @param karras            Euler and DPM-Solver: Karras sigmas
 * @param sigmaMin          Euler: the smallest Karras sigma, if set
 * @param sigmaMax          Euler: the largest Karras sigma, if set
 * @param finalSigmaZero    Euler and DPM-Solver: the last sigma is 0 (else the schedule's smallest)
 * @param solverOrder       DPM-Solver: 1 or 2
 * @param heun              DPM-Solver: the second-order update is Heun's (else the midpoint)
 * @param lowerOrderFinal   DPM-Solver: first-order steps at the end of short runs
 * @param eulerAtFinal      DPM-Solver: a first-order last step always
 * @param lambdaMinClipped  DPM-Solver: the smallest log-SNR half the timesteps may reach
 */
public record SamplerSettings(int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
        Optional<double[]> trainedBetas, boolean rescaleZeroSnr, String predictionType, String timestepSpacing,
        int stepsOffset, boolean setAlphaToOne, boolean clipSample, double clipSampleRange, boolean karras,
        Optional<Double> sigmaMin, Optional<Double> sigmaMax, boolean finalSigmaZero, int solverOrder, boolean heun,
        boolean lowerOrderFinal, boolean eulerAtFinal, double lambdaMinClipped) {

    /** Longest training schedule accepted. */
    static final int MAX_TRAIN_TIMESTEPS = 100_000;
    private static final Set<String> SCHEDULES = Set.of("linear", "scaled_linear", "squaredcos_cap_v2");
    private static final Set<String> SPACINGS = Set.of("leading", "linspace", "trailing");

    /** The settings of {@code kind} in {@code c}, checked. */
    public static SamplerSettings of(SchedulerConfig c, Scheduler kind) {
        boolean ddim = kind == Scheduler.DDIM;
        boolean euler = kind == Scheduler.EULER || kind == Scheduler.EULER_KARRAS;
        boolean dpm = kind == Scheduler.DPM_SOLVER_PP_2M || kind == Scheduler.DPM_SOLVER_PP_2M_KARRAS;
        int train = c.integer("num_train_timesteps", 1000);
        if (train < 2 || train > MAX_TRAIN_TIMESTEPS) {
            throw c.refuse("num_train_timesteps", "is " + train + ", expected 2 to " + MAX_TRAIN_TIMESTEPS);
        }
        double start = c.number("beta_start", 0.0001);
        double end = c.number("beta_end", 0.02);
        String schedule = c.text("beta_schedule", "linear");
        if (!SCHEDULES.contains(schedule)) {
            throw c.refuse("beta_schedule", "'" + schedule + "' is not implemented (" + SCHEDULES + ")");
        }
        Optional<double[]> trained = c.numbers("trained_betas");
        trained.ifPresent(b -> {
            if (b.length != train) {
                throw c.refuse("trained_betas", "has " + b.length + " betas, num_train_timesteps is " + train);
            }
            for (double beta : b) {
                if (!(beta > 0 && beta < 1)) {
                    throw c.refuse("trained_betas", "holds " + beta + ", betas must lie in (0, 1)");
                }
            }
        });
        if (trained.isEmpty() && !schedule.equals("squaredcos_cap_v2")) {
            for (String key : new String[] {"beta_start", "beta_end"}) {
                double beta = key.equals("beta_start") ? start : end;
                if (!(beta > 0 && beta < 1)) {
                    throw c.refuse(key, "is " + beta + ", betas must lie in (0, 1)");
                }
            }
        }
        String prediction = c.text("prediction_type", "epsilon");
        if (!prediction.equals("epsilon") && !prediction.equals("v_prediction")
                && !(prediction.equals("sample") && !euler && kind != Scheduler.EULER_ANCESTRAL)) {
            throw c.refuse("prediction_type", "'" + prediction + "' is not implemented for " + kind
                    + " (epsilon, v_prediction" + (euler || kind == Scheduler.EULER_ANCESTRAL ? "" : ", sample") + ")");
        }
        String spacing = c.text("timestep_spacing", ddim ? "leading" : "linspace");
        if (!SPACINGS.contains(spacing)) {
            throw c.refuse("timestep_spacing", "'" + spacing + "' is not implemented (" + SPACINGS + ")");
        }
        int offset = c.integer("steps_offset", 0);
        if (offset < 0 || offset >= train) {
            throw c.refuse("steps_offset", "is " + offset + ", expected 0 to " + (train - 1));
        }
        boolean zeroSnr = c.flag("rescale_betas_zero_snr", false);
        if (ddim || dpm) {
            refuseTrue(c, "thresholding");
        }
        boolean clip = ddim && c.flag("clip_sample", true);
        double clipRange = ddim ? c.number("clip_sample_range", 1.0) : 1.0;
        if (clip && !(clipRange > 0)) {
            throw c.refuse("clip_sample_range", "is " + clipRange + ", expected a positive range");
        }
        boolean alphaToOne = ddim && c.flag("set_alpha_to_one", true);
        boolean karras = false;
        Optional<Double> sigmaMin = Optional.empty();
        Optional<Double> sigmaMax = Optional.empty();
        boolean finalZero = true;
        if (euler || dpm) {
            karras = c.flag("use_karras_sigmas", false) || kind == Scheduler.EULER_KARRAS
                    || kind == Scheduler.DPM_SOLVER_PP_2M_KARRAS;
            refuseTrue(c, "use_exponential_sigmas");
            refuseTrue(c, "use_beta_sigmas");
            String last = c.text("final_sigmas_type", "zero");
            if (!last.equals("zero") && !last.equals("sigma_min")) {
                throw c.refuse("final_sigmas_type", "'" + last + "' is not one of zero, sigma_min");
            }
            finalZero = last.equals("zero");
        }
        if (euler) {
            refuseOther(c, "interpolation_type", "linear");
            refuseOther(c, "timestep_type", "discrete");
            sigmaMin = c.optionalNumber("sigma_min");
            sigmaMax = c.optionalNumber("sigma_max");
            for (var s : new Object[][] {{"sigma_min", sigmaMin}, {"sigma_max", sigmaMax}}) {
                @SuppressWarnings("unchecked")
                Optional<Double> v = (Optional<Double>) s[1];
                if (v.isPresent() && !(v.get() > 0)) {
                    throw c.refuse((String) s[0], "is " + v.get() + ", expected a positive sigma");
                }
            }
        }
        int order = 2;
        boolean heun = false;
        boolean lowerOrderFinal = true;
        boolean eulerAtFinal = false;
        double lambdaMin = Double.NEGATIVE_INFINITY;
        if (dpm) {
            order = c.integer("solver_order", 2);
            if (order != 1 && order != 2) {
                throw c.refuse("solver_order", "is " + order + "; this port implements orders 1 and 2");
            }
            refuseOther(c, "algorithm_type", "dpmsolver++");
            String solver = c.text("solver_type", "midpoint");
            if (!solver.equals("midpoint") && !solver.equals("heun")) {
                throw c.refuse("solver_type", "'" + solver + "' is not one of midpoint, heun");
            }
            heun = solver.equals("heun");
            lowerOrderFinal = c.flag("lower_order_final", true);
            eulerAtFinal = c.flag("euler_at_final", false);
            refuseTrue(c, "use_lu_lambdas");
            refuseTrue(c, "use_flow_sigmas");
            refuseTrue(c, "use_dynamic_shifting");
            if (c.raw("variance_type").isPresent()) {
                throw c.refuse("variance_type", "is set; this port implements the default (null) only");
            }
            lambdaMin = c.raw("lambda_min_clipped").map(v -> {
                if (!v.isNumber() || Double.isNaN(v.doubleValue()) || v.doubleValue() == Double.POSITIVE_INFINITY) {
                    throw c.invalid("lambda_min_clipped", v, "a number or -Infinity");
                }
                return v.doubleValue();
            }).orElse(Double.NEGATIVE_INFINITY);
        }
        return new SamplerSettings(train, start, end, schedule, trained, zeroSnr, prediction, spacing, offset,
                alphaToOne, clip, clipRange, karras, sigmaMin, sigmaMax, finalZero, order, heun, lowerOrderFinal,
                eulerAtFinal, lambdaMin);
    }

    /** The settings training reads (the schedule's keys, with the defaults every sampler shares). */
    public static SamplerSettings training(SchedulerConfig c) {
        return of(c, Scheduler.EULER_ANCESTRAL);
    }

    /** Whether the model predicts v. */
    public boolean vPrediction() {
        return predictionType.equals("v_prediction");
    }

    /** Whether the model predicts the clean sample. */
    public boolean samplePrediction() {
        return predictionType.equals("sample");
    }

    private static void refuseTrue(SchedulerConfig c, String key) {
        if (c.flag(key, false)) {
            throw c.refuse(key, "is true; this port implements only false (diffusers' default)");
        }
    }

    private static void refuseOther(SchedulerConfig c, String key, String only) {
        String value = c.text(key, only);
        if (!value.equals(only)) {
            throw c.refuse(key, "is '" + value + "'; this port implements only '" + only + "' (diffusers' default)");
        }
    }
}
