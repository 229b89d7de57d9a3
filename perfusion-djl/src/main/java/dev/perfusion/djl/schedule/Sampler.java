package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;
import dev.perfusion.api.Scheduler;
import dev.perfusion.core.schedule.SamplerSettings;
import dev.perfusion.core.schedule.SchedulerConfig;

/**
 * One sampling run of a diffusion sampler: its timesteps, the scale of the initial noise, the input scaling the
 * UNet expects, and the update from one step's model output. Stateful (multistep solvers remember earlier outputs,
 * in native memory of their own that {@link #close()} frees): make a new one per image batch with {@link #create}.
 */
public interface Sampler extends AutoCloseable {

    /** The UNet timestep of each step, in order. */
    double[] timesteps();

    /** The standard deviation to scale unit initial noise by; 1 for samplers that work in the latents' own scale. */
    default double initNoiseSigma() {
        return 1.0;
    }

    /** The sample as the UNet should see it at step {@code index}; as it is, unless the sampler rescales it. */
    default NDArray scaleModelInput(NDArray sample, int index) {
        return sample;
    }

    /** The sample after step {@code index}, from the model's output at that step. */
    NDArray step(NDArray modelOutput, int index, NDArray sample);

    /** Frees what the sampler keeps between steps. */
    @Override
    default void close() {
    }

    /**
     * A sampler of the given kind over {@code steps} steps, reading {@code config} as the matching diffusers class
     * would; {@code noise} feeds the stochastic ones (Euler ancestral, DDIM with {@code eta > 0}).
     *
     * @param eta DDIM's stochasticity, 0 for the deterministic sampler; must be 0 for the other kinds
     * @throws IllegalArgumentException naming the config file and key when it sets something this port does not
     *                                  implement, or the steps or eta are out of range
     */
    static Sampler create(Scheduler kind, SchedulerConfig config, int steps, double eta, NoiseSource noise) {
        SamplerSettings settings = SamplerSettings.of(config, kind);
        if (steps <= 0 || steps > settings.numTrainTimesteps()) {
            throw new IllegalArgumentException("steps must be in 1.." + settings.numTrainTimesteps() + ", got "
                    + steps);
        }
        if (!(eta >= 0) || Double.isInfinite(eta) || (eta > 0 && kind != Scheduler.DDIM)) {
            throw new IllegalArgumentException("eta must be finite and >= 0, and is DDIM's alone; got " + eta
                    + " for " + kind);
        }
        return switch (kind) {
            case DDIM -> new DdimSampler(settings, steps, eta, noise);
            case EULER, EULER_KARRAS -> new EulerSampler(settings, steps, false, noise);
            case EULER_ANCESTRAL -> new EulerSampler(settings, steps, true, noise);
            case DPM_SOLVER_PP_2M, DPM_SOLVER_PP_2M_KARRAS -> new DpmSolverPlusPlus2M(settings, steps);
        };
    }
}
