package dev.perfusion.core.eval;

import dev.perfusion.api.Judge;
import dev.perfusion.core.world.Kind;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which kind the judge names for pictures of lone objects, against the kind each should show: where a model loses
 * kinds (a star drawn as a blob the judge calls a heart), which the single kind rate does not tell.
 *
 * @param counts {@code counts[truth][named]}, indexed by {@link Kind#ordinal()}
 */
public record KindConfusion(int[][] counts) {

    public KindConfusion {
        int n = Kind.values().length;
        if (counts.length != n || Arrays.stream(counts).anyMatch(row -> row.length != n)) {
            throw new IllegalArgumentException("a kind confusion is " + n + " x " + n);
        }
        counts = Arrays.stream(counts).map(int[]::clone).toArray(int[][]::new);
    }

    /**
     * Asks the judge to name the kind of each picture among the prompts {@link QualityEvaluation#kindPrompt}.
     *
     * @param pictures packed 0xRRGGBB pictures of one object each
     * @param truth    the kind each should show, in the same order
     */
    public static KindConfusion of(Judge judge, List<int[]> pictures, List<Kind> truth, int size) {
        if (pictures.size() != truth.size()) {
            throw new IllegalArgumentException(pictures.size() + " pictures but " + truth.size() + " kinds");
        }
        int[][] counts = new int[Kind.values().length][Kind.values().length];
        if (!pictures.isEmpty()) {
            List<String> labels = Arrays.stream(Kind.values()).map(QualityEvaluation::kindPrompt).toList();
            int[] named = judge.classify(pictures, size, labels);
            for (int i = 0; i < named.length; i++) {
                counts[truth.get(i).ordinal()][named[i]]++;
            }
        }
        return new KindConfusion(counts);
    }

    public int[][] counts() {
        return Arrays.stream(counts).map(int[]::clone).toArray(int[][]::new);
    }

    /** Pictures whose kind the judge named right. */
    public int correct() {
        int c = 0;
        for (int k = 0; k < counts.length; k++) {
            c += counts[k][k];
        }
        return c;
    }

    /** All pictures. */
    public int total() {
        return Arrays.stream(counts).flatMapToInt(Arrays::stream).sum();
    }

    /** A Markdown table: one row per true kind, one column per named kind, and the row's rate. */
    public String table() {
        Kind[] kinds = Kind.values();
        StringBuilder b = new StringBuilder("| shown \\ named |");
        for (Kind k : kinds) {
            b.append(' ').append(k.word()).append(" |");
        }
        b.append(" right |\n|---|");
        b.append("---|".repeat(kinds.length + 1)).append('\n');
        for (Kind truth : kinds) {
            int[] row = counts[truth.ordinal()];
            int n = Arrays.stream(row).sum();
            b.append("| ").append(truth.word()).append(" |");
            for (int c : row) {
                b.append(' ').append(c).append(" |");
            }
            b.append(n == 0 ? " - |" : String.format(Locale.ROOT, " %d/%d |", row[truth.ordinal()], n)).append('\n');
        }
        return b.toString();
    }
}
