package dev.perfusion.api;


/**
 * Maps a fidelity level in [0, 1] to a gate: the bias moves linearly from {@code biasAtZero} (the prompt wins) to
 * {@code biasAtOne} (the photos win) at a fixed temperature.
 *
 * <p>The default spans the bias range the paper explores for the local key lock, 0.6 to 0.8, with the paper's
 * inference temperature 0.15; fidelity 0.5 gives the paper's inference default, beta 0.70. The range is a default
 * to be calibrated by the Pareto sweep on each base model.
 *
 * @param biasAtZero  gate bias at fidelity 0
 * @param biasAtOne   gate bias at fidelity 1, lower than {@code biasAtZero}
 * @param temperature gate temperature at every level
 */
public record FidelityCurve(double biasAtZero, double biasAtOne, double temperature) {

    /** beta from 0.80 to 0.60, tau 0.15. */
    public static final FidelityCurve DEFAULT = new FidelityCurve(0.80, 0.60, Gate.INFERENCE.temperature());

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
