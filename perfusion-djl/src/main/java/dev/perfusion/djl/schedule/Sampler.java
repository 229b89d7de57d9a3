package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;
import dev.perfusion.api.Scheduler;

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
     * A sampler of the given kind over {@code steps} steps of {@code schedule}; {@code noise} feeds the
     * stochastic ones (Euler ancestral).
     */
    static Sampler create(Scheduler kind, NoiseSchedule schedule, int steps, NoiseSource noise) {
        if (steps <= 0 || steps > schedule.config().numTrainTimesteps()) {
            throw new IllegalArgumentException("steps must be in 1.." + schedule.config().numTrainTimesteps()
                    + ", got " + steps);
        }
        return switch (kind) {
            case DDIM -> new DdimSampler(schedule, steps, 0.0, noise);
            case EULER -> new EulerSampler(schedule, steps, false, noise);
            case EULER_ANCESTRAL -> new EulerSampler(schedule, steps, true, noise);
            case DPM_SOLVER_PP_2M -> new DpmSolverPlusPlus2M(schedule, steps);
        };
    }
}
