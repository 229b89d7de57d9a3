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
}
