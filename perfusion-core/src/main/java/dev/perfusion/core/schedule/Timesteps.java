package dev.perfusion.core.schedule;

/** The timestep spacings and sigma schedules of diffusers' samplers, with numpy's rounding (half to even). */
public final class Timesteps {

    private Timesteps() {
    }

    /**
     * The first {@code count} of {@code points} descending timesteps over a training schedule of
     * {@code trainSteps} (DPM-Solver spaces {@code count + 1} points and drops the last; the others use
     * {@code count}).
     *
     * @param integer whether "linspace" rounds to integers (DDIM and DPM-Solver do, Euler does not)
     */
    public static double[] spaced(String spacing, int trainSteps, int count, int offset, int points, boolean integer) {
        return spaced(spacing, trainSteps, trainSteps, count, offset, points, integer);
    }

    /**
     * As {@link #spaced(String, int, int, int, int, boolean)}, with the timesteps ending below {@code last} instead
     * of {@code trainSteps} (DPM-Solver's clipping of the smallest log-SNR). "trailing" may then give fewer steps.
     */
    public static double[] spaced(String spacing, int trainSteps, int last, int count, int offset, int points,
            boolean integer) {
        switch (spacing) {
            case "linspace" -> {
                double[] out = new double[count];
                double step = (double) (last - 1) / (points - 1);
                for (int i = 0; i < count; i++) {
                    int k = points - 1 - i;
                    double v = k == points - 1 ? last - 1 : k * step;
                    out[i] = integer ? Math.rint(v) : (float) v;
                }
                return out;
            }
            case "leading" -> {
                double[] out = new double[count];
                int ratio = last / points;
                for (int i = 0; i < count; i++) {
                    out[i] = (double) (points - 1 - i) * ratio + offset;
                }
                return out;
            }
            case "trailing" -> {
                double ratio = (double) trainSteps / count;
                int n = (int) Math.ceil(last / ratio - 1e-12);
                double[] out = new double[Math.min(n, count)];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Math.rint(last - i * ratio) - 1;
                }
                return out;
            }
            default -> throw new IllegalArgumentException("unknown timestep spacing '" + spacing + "'");
        }
    }

    /** Sigmas at the timesteps, interpolated in double as numpy does, then a final sigma, all in float32. */
    public static double[] sigmas(NoiseSchedule schedule, double[] timesteps, double last) {
        double[] training = schedule.trainingSigmas();
        double[] out = new double[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            out[i] = (float) NoiseSchedule.interp(timesteps[i], training);
        }
        out[timesteps.length] = (float) last;
        return out;
    }

    /** The last sigma: 0, or the schedule's smallest ({@code final_sigmas_type} "sigma_min"), in float32. */
    public static double finalSigma(NoiseSchedule schedule, boolean zero) {
        return zero ? 0 : (float) schedule.trainingSigmas()[0];
    }

    /** Karras et al.'s sigmas from {@code max} down to {@code min} over {@code steps}, rho 7, in double. */
    public static double[] karras(double min, double max, int steps) {
        double rho = 7.0;
        double minInv = Math.pow(min, 1 / rho);
        double maxInv = Math.pow(max, 1 / rho);
        double[] out = new double[steps];
        double step = steps == 1 ? 0 : 1.0 / (steps - 1);
        for (int i = 0; i < steps; i++) {
            double ramp = i == steps - 1 && steps > 1 ? 1.0 : i * step;
            out[i] = Math.pow(maxInv + ramp * (minInv - maxInv), rho);
        }
        return out;
    }

    /**
     * diffusers' {@code _sigma_to_t}: the fractional training timestep whose log-sigma matches, interpolating
     * linearly in log-sigma between neighbouring training timesteps.
     */
    public static double sigmaToT(double sigma, double[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        int low = 0;
        int count = 0;
        int best = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                count++;
            }
            if (i == 0 || count > best) {
                best = count;
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        int high = low + 1;
        double w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * high;
    }

    /** log of the training sigmas, in float32. */
    public static double[] logSigmas(NoiseSchedule schedule) {
        double[] sigmas = schedule.trainingSigmas();
        double[] out = new double[sigmas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(sigmas[i]);
        }
        return out;
    }
}
