package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;

/**
 * The training noise schedule: betas and cumulative alphas, computed in float32 in the same order as diffusers (so
 * timesteps and sigmas agree to float precision), and the forward process used in training.
 */
public final class NoiseSchedule {

    private final SchedulerConfig config;
    private final float[] alphasCumprod;

    public NoiseSchedule(SchedulerConfig config) {
        this.config = config;
        int n = config.numTrainTimesteps();
        float[] betas = config.betaSchedule().equals("scaled_linear")
                ? linspace((float) Math.sqrt(config.betaStart()), (float) Math.sqrt(config.betaEnd()), n)
                : linspace((float) config.betaStart(), (float) config.betaEnd(), n);
        if (config.betaSchedule().equals("scaled_linear")) {
            for (int i = 0; i < n; i++) {
                betas[i] = betas[i] * betas[i];
            }
        }
        alphasCumprod = new float[n];
        float product = 1f;
        for (int i = 0; i < n; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = product;
        }
    }

    public SchedulerConfig config() {
        return config;
    }

    /** {@code alpha_bar_t}, t in [0, numTrainTimesteps). */
    public double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** Karras sigmas of every training timestep: {@code sqrt((1 - alpha_bar) / alpha_bar)}, in float32. */
    public double[] trainingSigmas() {
        double[] sigmas = new double[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
        }
        return sigmas;
    }

    /** The forward process {@code sqrt(a) x0 + sqrt(1 - a) noise} at integer timestep {@code t}. */
    public NDArray addNoise(NDArray original, NDArray noise, int t) {
        double a = alphasCumprod[t];
        return original.mul(Math.sqrt(a)).add(noise.mul(Math.sqrt(1 - a)));
    }

    /** torch.linspace in float32: the first half counts up from start, the second down from end. */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }

    /** numpy's interp of {@code values} (defined at 0, 1, 2, ...) at {@code x}, in double. */
    static double interp(double x, double[] values) {
        if (x <= 0) {
            return values[0];
        }
        if (x >= values.length - 1) {
            return values[values.length - 1];
        }
        int i = (int) Math.floor(x);
        double f = x - i;
        return values[i] + f * (values[i + 1] - values[i]);
    }
}
