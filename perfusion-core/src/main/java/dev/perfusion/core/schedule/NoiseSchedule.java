package dev.perfusion.core.schedule;

/**
 * The training noise schedule: betas and cumulative alphas, computed in float32 in the same order as diffusers (so
 * timesteps and sigmas agree to float precision): linear, scaled-linear or cosine ({@code squaredcos_cap_v2}) betas,
 * or betas given outright, optionally rescaled to zero terminal SNR.
 */
public final class NoiseSchedule {

    private final SamplerSettings settings;
    private final float[] alphasCumprod;

    /**
     * @param terminalTweak whether, with zero terminal SNR, the last cumulative alpha is set to 2^-24 instead of 0
     *                      (Euler, Euler ancestral and DPM-Solver do so, to keep the first sigma finite; DDIM does not)
     */
    public NoiseSchedule(SamplerSettings settings, boolean terminalTweak) {
        this.settings = settings;
        int n = settings.numTrainTimesteps();
        float[] betas = betas(settings);
        if (settings.rescaleZeroSnr()) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        alphasCumprod = new float[n];
        float product = 1f;
        for (int i = 0; i < n; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = product;
        }
        if (settings.rescaleZeroSnr() && terminalTweak) {
            alphasCumprod[n - 1] = 0x1p-24f;
        }
    }

    /** The schedule training uses, from a config's schedule keys. */
    public static NoiseSchedule training(SchedulerConfig config) {
        return new NoiseSchedule(SamplerSettings.training(config), true);
    }

    public SamplerSettings settings() {
        return settings;
    }

    /** Steps of the training schedule. */
    public int size() {
        return alphasCumprod.length;
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

    /** DPM-Solver's log-SNR half {@code log(alpha_t) - log(sigma_t)} of every training timestep, in float32. */
    public double[] lambdas() {
        double[] lambdas = new double[alphasCumprod.length];
        for (int i = 0; i < lambdas.length; i++) {
            float alpha = (float) Math.sqrt(alphasCumprod[i]);
            float sigma = (float) Math.sqrt(1f - alphasCumprod[i]);
            lambdas[i] = (float) ((float) Math.log(alpha) - (float) Math.log(sigma));
        }
        return lambdas;
    }

    private static float[] betas(SamplerSettings s) {
        int n = s.numTrainTimesteps();
        if (s.trainedBetas().isPresent()) {
            double[] given = s.trainedBetas().get();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) given[i];
            }
            return out;
        }
        return switch (s.betaSchedule()) {
            case "linear" -> linspace((float) s.betaStart(), (float) s.betaEnd(), n);
            case "scaled_linear" -> {
                float[] roots = linspace((float) Math.sqrt(s.betaStart()), (float) Math.sqrt(s.betaEnd()), n);
                for (int i = 0; i < n; i++) {
                    roots[i] = roots[i] * roots[i];
                }
                yield roots;
            }
            case "squaredcos_cap_v2" -> {
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    double t1 = (double) i / n;
                    double t2 = (double) (i + 1) / n;
                    out[i] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
                }
                yield out;
            }
            default -> throw new IllegalArgumentException("beta schedule " + s.betaSchedule());
        };
    }

    private static double cosineAlphaBar(double t) {
        double c = StrictMath.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** diffusers' {@code rescale_zero_terminal_snr}, in float32 and its order of operations. */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        int n = betas.length;
        float[] root = new float[n];
        float product = 1f;
        for (int i = 0; i < n; i++) {
            product *= 1f - betas[i];
            root[i] = (float) Math.sqrt(product);
        }
        float first = root[0];
        float last = root[n - 1];
        float scale = first / (first - last);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float shifted = (root[i] - last) * scale;
            bar[i] = shifted * shifted;
        }
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - bar[i] / bar[i - 1];
        }
        return out;
    }

    /** torch.linspace in float32: the first half counts up from start, the second down from end. */
    public static float[] linspace(float start, float end, int steps) {
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
    public static double interp(double x, double[] values) {
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
