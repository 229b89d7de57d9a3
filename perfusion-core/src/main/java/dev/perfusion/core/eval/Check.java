package dev.perfusion.core.eval;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * One measured fraction of a quality report.
 *
 * @param name   what was checked
 * @param passed cases that passed
 * @param total  cases checked
 * @param target the fraction to reach, if the check has one
 */
public record Check(String name, int passed, int total, OptionalDouble target) {

    public Check {
        if (passed < 0 || total < 0 || passed > total) {
            throw new IllegalArgumentException(name + ": " + passed + " of " + total);
        }
    }

    /** The fraction passed; 0 when nothing was checked. */
    public double fraction() {
        return total == 0 ? 0 : (double) passed / total;
    }

    /** Whether the target is met, or there is none. */
    public boolean met() {
        return target.isEmpty() || fraction() >= target.getAsDouble();
    }

    /** A table row: name, fraction, counts, target and verdict. */
    String row(int width) {
        String goal = target.isPresent() ? String.format(Locale.ROOT, ">= %3.0f%%", 100 * target.getAsDouble()) : "";
        String verdict = target.isPresent() ? (met() ? "met" : "NOT met") : "";
        return String.format(Locale.ROOT, "| %-" + width + "s | %5.1f%% | %4d / %-4d | %-7s | %-7s |", name,
                100 * fraction(), passed, total, goal, verdict);
    }
}
