package dev.perfusion.api;


/**
 * Maps a fidelity level in [0, 1] to a gate: the bias moves linearly from {@code biasAtZero} (the prompt wins) to
 * {@code biasAtOne} (the photos win) at a fixed temperature.
 *
 * <p>A model is opened with the curve measured for it, unless {@code Perfusion.builder().fidelityCurve(...)} sets
 * one: the embedded model has its own (a wider gate, see {@code EmbeddedModel.fidelityCurve()}), and every other
 * model gets {@link #DEFAULT}, beta 0.80 to 0.55 at the paper's inference temperature 0.15. That range covers the
 * paper's 0.6 to 0.75 for the key-locked edit and was first measured by a gate sweep on an earlier embedded model
 * (docs/results.md); it has not been measured on Stable Diffusion weights here.
 *
 * @param biasAtZero  gate bias at fidelity 0
 * @param biasAtOne   gate bias at fidelity 1, lower than {@code biasAtZero}
 * @param temperature gate temperature at every level
 */
public record FidelityCurve(double biasAtZero, double biasAtOne, double temperature) {

    /** beta from 0.80 to 0.55, tau 0.15: the curve of models with no curve measured for them. */
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
