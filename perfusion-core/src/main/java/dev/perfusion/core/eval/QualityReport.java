package dev.perfusion.core.eval;

import java.util.List;

/**
 * Measured fractions with their targets, printable as a Markdown table.
 *
 * @param title  what was measured
 * @param checks the rows
 */
public record QualityReport(String title, List<Check> checks) {

    public QualityReport {
        checks = List.copyOf(checks);
    }

    /** Whether every check with a target meets it. */
    public boolean allMet() {
        return checks.stream().allMatch(Check::met);
    }

    /** The check of this name. */
    public Check check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check '" + name + "' in " + title));
    }

    /** The report as a Markdown table under its title. */
    public String table() {
        int width = Math.max(5, checks.stream().mapToInt(c -> c.name().length()).max().orElse(5));
        StringBuilder b = new StringBuilder(title).append('\n');
        b.append(String.format("| %-" + width + "s | %6s | %-11s | %-7s | %-7s |%n", "check", "rate", "passed",
                "target", "verdict"));
        b.append("|").append("-".repeat(width + 2)).append("|--------|-------------|---------|---------|\n");
        checks.forEach(c -> b.append(c.row(width)).append('\n'));
        return b.toString();
    }
}
