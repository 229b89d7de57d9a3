package dev.perfusion.api;

/**
 * The sigmoid gate of a Perfusion edit: how strongly a token whose similarity to the concept is {@code s} receives
 * the concept's target, {@code sigmoid((s - bias) / temperature)}.
 *
 * <p>A temperature of zero is the hard limit of the sigmoid: a step that is fully open for {@code s >= bias} and
 * fully closed below. Raising the bias closes the gate, which trades likeness to the concept for obedience to the
 * rest of the prompt.
 *
 * @param bias        the similarity at which the gate is half open (beta in the paper)
 * @param temperature the width of the transition (tau in the paper), zero for a step
 */
public record Gate(double bias, double temperature) {

    /** The gate used while training a concept: beta 0.75, tau 0.10. */
    public static final Gate TRAINING = new Gate(0.75, 0.10);

    /** The paper's inference default: beta 0.70, tau 0.15. */
    public static final Gate INFERENCE = new Gate(0.70, 0.15);

    public Gate {
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("gate bias must be finite, got " + bias);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("gate temperature must be finite and >= 0, got " + temperature);
        }
    }

    /** A step gate: fully open at and above {@code bias}, fully closed below. */
    public static Gate step(double bias) {
        return new Gate(bias, 0);
    }

    /** The gate's opening, in [0, 1], for a token of similarity {@code s} to the concept. */
    public double weight(double s) {
        if (temperature == 0) {
            return s >= bias ? 1.0 : 0.0;
        }
        double z = (s - bias) / temperature;
        return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
    }
}
