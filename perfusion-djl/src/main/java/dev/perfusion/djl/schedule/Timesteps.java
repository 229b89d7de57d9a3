package dev.perfusion.djl.schedule;

/** The timestep spacings of diffusers' samplers, with numpy's rounding (half to even). */
final class Timesteps {

    private Timesteps() {
    }

    /**
     * The first {@code count} of {@code points} descending timesteps over a training schedule of
     * {@code trainSteps} (DPM-Solver spaces {@code count + 1} points and drops the last; the others use
     * {@code count}).
     *
     * @param integer whether "linspace" rounds to integers (DDIM and DPM-Solver do, Euler does not)
     */
    static double[] spaced(String spacing, int trainSteps, int count, int offset, int points, boolean integer) {
        double[] out = new double[count];
        switch (spacing) {
            case "linspace" -> {
                double step = (double) (trainSteps - 1) / (points - 1);
                for (int i = 0; i < count; i++) {
                    int k = points - 1 - i;
                    double v = k == points - 1 ? trainSteps - 1 : k * step;
                    out[i] = integer ? Math.rint(v) : (float) v;
                }
            }
            case "leading" -> {
                int ratio = trainSteps / points;
                for (int i = 0; i < count; i++) {
                    out[i] = (double) (points - 1 - i) * ratio + offset;
                }
            }
            case "trailing" -> {
                double ratio = (double) trainSteps / count;
                for (int i = 0; i < count; i++) {
                    out[i] = Math.rint(trainSteps - i * ratio) - 1;
                }
            }
            default -> throw new IllegalArgumentException("unknown timestep spacing '" + spacing + "'");
        }
        return out;
    }

    /** Sigmas at the timesteps, interpolated in double as numpy does, then a final sigma, all in float32. */
    static double[] sigmas(NoiseSchedule schedule, double[] timesteps, double last) {
        double[] training = schedule.trainingSigmas();
        double[] out = new double[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            out[i] = (float) NoiseSchedule.interp(timesteps[i], training);
        }
        out[timesteps.length] = (float) last;
        return out;
    }
}
