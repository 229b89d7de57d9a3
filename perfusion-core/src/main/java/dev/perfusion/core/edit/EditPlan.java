package dev.perfusion.core.edit;

/**
 * A prepared {@link GatedRankOneEdit} in float arrays, row-major, for a tensor engine to apply next to the
 * projection {@code W} it was made for: with {@code P = E probe} (tokens, n) and {@code S = P / energy},
 *
 * <pre>
 *   out = E W^T - P removal + sigmoid((S - bias) / temperature) targets
 * </pre>
 *
 * where a temperature of zero stands for the step {@code S >= bias}.
 *
 * @param inWidth     input width (768 for SD 1.x)
 * @param outWidth    output width of the projection
 * @param concepts    n
 * @param probe       {@code C^{-1} I*}, (inWidth, n)
 * @param energy      {@code i*_c^T C^{-1} i*_c}, (n)
 * @param removal     what to subtract per unit of {@code P}, (n, outWidth)
 * @param targets     what the open gate adds per concept, {@code o*_c} less its anchor's projection, (n, outWidth)
 * @param bias        per-concept gate bias, (n)
 * @param temperature per-concept gate temperature, (n)
 */
public record EditPlan(int inWidth, int outWidth, int concepts, float[] probe, float[] energy, float[] removal,
        float[] targets, float[] bias, float[] temperature) {

    public EditPlan {
        check("probe", probe, (long) inWidth * concepts);
        check("energy", energy, concepts);
        check("removal", removal, (long) concepts * outWidth);
        check("targets", targets, (long) concepts * outWidth);
        check("bias", bias, concepts);
        check("temperature", temperature, concepts);
    }

    private static void check(String what, float[] values, long expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException(
                    "edit plan's " + what + " has " + values.length + " values, expected " + expected);
        }
    }
}
