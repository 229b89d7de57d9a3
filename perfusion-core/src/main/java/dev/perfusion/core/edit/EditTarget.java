package dev.perfusion.core.edit;

import dev.perfusion.api.Gate;
import java.util.Objects;

/**
 * What one concept asks of one projection: inputs resembling {@code input} ({@code i*}) should map to
 * {@code output} ({@code o*}), opened by {@code gate}.
 *
 * @param input  {@code i*}, of the projection's input width
 * @param output {@code o*}, of the projection's output width: the supercategory's key for a key projection (the
 *               key lock), the trained value target for a value projection
 * @param gate   how sharply inputs near {@code i*} receive {@code o*}
 */
public record EditTarget(double[] input, double[] output, Gate gate) {

    public EditTarget {
        input = input.clone();
        output = output.clone();
        Objects.requireNonNull(gate, "gate");
    }

    @Override
    public double[] input() {
        return input.clone();
    }

    @Override
    public double[] output() {
        return output.clone();
    }
}
