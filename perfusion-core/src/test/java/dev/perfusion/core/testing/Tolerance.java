package dev.perfusion.core.testing;

import org.assertj.core.data.Offset;

/**
 * Tolerances for float32 results stated in what IEEE 754 guarantees on every x86 CPU, whatever its vector width:
 * units in the last place at the value's magnitude, or a fraction of a reference's scale. A bare absolute bound such
 * as 1e-6 on a value of 13 asks for less than one ulp, which another CPU's kernel may not give.
 */
public final class Tolerance {

    private Tolerance() {
    }

    /** Within {@code ulps} float32 units in the last place of {@code expected}. */
    public static Offset<Double> float32Ulps(double expected, int ulps) {
        return Offset.offset(ulps * (double) Math.ulp((float) Math.abs(expected)));
    }

    /** Within {@code relative} times the magnitude of {@code scale}, for values compared against a known scale. */
    public static Offset<Double> relativeTo(double scale, double relative) {
        return Offset.offset(relative * Math.abs(scale));
    }
}
