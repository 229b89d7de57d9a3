package dev.perfusion.djl.train;

/**
 * A learning-rate schedule: linear warm-up from zero over {@code warmup} steps, then a cosine decay from
 * {@code peak} to {@code peak * floor} at {@code total} steps.
 *
 * @param peak   the rate after warm-up
 * @param warmup steps of warm-up
 * @param total  steps of the whole run
 * @param floor  the final rate as a fraction of the peak
 */
public record LearningRate(double peak, long warmup, long total, double floor) {

    public LearningRate {
        if (!(peak > 0) || warmup < 0 || total <= 0 || !(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("invalid schedule: peak " + peak + ", warmup " + warmup + ", total "
                    + total + ", floor " + floor);
        }
    }

    /** The rate for step {@code step}, counted from 0. */
    public double at(long step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        double progress = Math.min(1, (double) (step - warmup) / Math.max(1, total - warmup));
        return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
