package dev.perfusion.api;


/**
 * Maps a fidelity level in [0, 1] to a gate: the bias moves linearly from {@code biasAtZero} (the prompt wins) to
 * {@code biasAtOne} (the photos win) at a fixed temperature.
 *
 * <p>The default, beta 0.80 to 0.55 at the paper's inference temperature 0.15, was chosen by a gate sweep on the
 * embedded model (docs/results.md): there, beta 0.80 is where image similarity stops rising as the gate closes, and
 * near 0.55 it stops rising as the gate opens while text similarity falls; wider, both scores fall. A custom curve
 * set on {@code Perfusion.builder()} suits a base model measured otherwise.
 *
 * @param biasAtZero  gate bias at fidelity 0
 * @param biasAtOne   gate bias at fidelity 1, lower than {@code biasAtZero}
 * @param temperature gate temperature at every level
 */
public record FidelityCurve(double biasAtZero, double biasAtOne, double temperature) {

    /** beta from 0.80 to 0.55, tau 0.15. */
    public static final FidelityCurve DEFAULT = new FidelityCurve(0.80, 0.55, Gate.INFERENCE.temperature());

    public FidelityCurve {
        if (!(biasAtOne < biasAtZero)) {
            throw new IllegalArgumentException("fidelity 1 must open the gate more than fidelity 0: bias at one ("
                    + biasAtOne + ") must be below bias at zero (" + biasAtZero + ")");
        }
        new Gate(biasAtZero, temperature);
        new Gate(biasAtOne, temperature);
    }

    /** The gate at a fidelity level in [0, 1]. */
    public Gate gate(double fidelity) {
        if (!(fidelity >= 0 && fidelity <= 1)) {
            throw new IllegalArgumentException("fidelity must be in [0, 1], got " + fidelity);
        }
        return new Gate((1 - fidelity) * biasAtZero + fidelity * biasAtOne, temperature);
    }
}
