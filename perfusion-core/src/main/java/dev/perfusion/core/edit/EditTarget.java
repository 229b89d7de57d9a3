package dev.perfusion.core.edit;

import dev.perfusion.api.Gate;
import java.util.Objects;

/**
 * What one concept asks of one projection: inputs resembling {@code input} ({@code i*}) should map to
 * {@code output} ({@code o*}), opened by {@code gate}. The concept's component of an input is replaced by the same
 * share of {@code anchor} before the gate adds {@code o* - W anchor}: the paper's edit anchors at zero, the
 * proportional key lock ({@code KeyLockForm.PROPORTIONAL}) at {@code i_s}.
 *
 * @param input  {@code i*}, of the projection's input width
 * @param output {@code o*}, of the projection's output width: the supercategory's key for a key projection (the
 *               key lock), the trained value target for a value projection
 * @param gate   how sharply inputs near {@code i*} receive {@code o*}
 * @param anchor what the concept's component is replaced with outside the gate, of the input width
 */
public record EditTarget(double[] input, double[] output, Gate gate, double[] anchor) {

    public EditTarget {
        input = input.clone();
        output = output.clone();
        Objects.requireNonNull(gate, "gate");
        anchor = anchor.clone();
        if (anchor.length != input.length) {
            throw new IllegalArgumentException("anchor has " + anchor.length + " values, i* has " + input.length);
        }
    }

    /** The paper's edit: anchored at zero. */
    public EditTarget(double[] input, double[] output, Gate gate) {
        this(input, output, gate, new double[input.length]);
    }

    @Override
    public double[] input() {
        return input.clone();
    }

    @Override
    public double[] output() {
        return output.clone();
    }

    @Override
    public double[] anchor() {
        return anchor.clone();
    }
}
