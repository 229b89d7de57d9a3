package dev.perfusion.api;

import java.time.Duration;
import java.util.Optional;

/**
 * One report of long-running work: which stage, how far along, the latest loss where there is one, and an
 * estimate of the time left.
 *
 * @param stage   what is being done, such as "training" or "sampling"
 * @param step    steps done, from 0 to {@code total}
 * @param total   steps in the stage
 * @param loss    the latest loss, or NaN where the stage has none
 * @param elapsed time spent in the stage so far
 */
public record Progress(String stage, long step, long total, double loss, Duration elapsed) {

    public Progress {
        if (step < 0 || total < 0 || step > total) {
            throw new IllegalArgumentException("progress step " + step + " of " + total + " is out of range");
        }
    }

    /** The fraction done, in [0, 1]. */
    public double fraction() {
        return total == 0 ? 1.0 : (double) step / total;
    }

    /** The time left at the average pace so far; empty before the first step. */
    public Optional<Duration> eta() {
        if (step == 0) {
            return Optional.empty();
        }
        return Optional.of(elapsed.multipliedBy(total - step).dividedBy(step));
    }

    /** One line for people, such as {@code training <tom>: 40/400, loss 0.1234, 0:31 elapsed, 4:39 left}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(stage).append(": ").append(step).append('/').append(total);
        if (!Double.isNaN(loss)) {
            b.append(String.format(java.util.Locale.ROOT, ", loss %.4f", loss));
        }
        b.append(", ").append(clock(elapsed)).append(" elapsed");
        eta().ifPresent(left -> b.append(", ").append(clock(left)).append(" left"));
        return b.toString();
    }

    private static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(java.util.Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
