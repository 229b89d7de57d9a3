package dev.perfusion.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GateTest {

    @Test
    void gateIsHalfOpenAtItsBiasAndFollowsTheLogistic() {
        Gate g = new Gate(0.7, 0.15);
        assertThat(g.weight(0.7)).isEqualTo(0.5);
        assertThat(g.weight(1.0)).isCloseTo(1 / (1 + Math.exp(-2.0)), within(1e-15));
        assertThat(g.weight(0.4)).isCloseTo(1 / (1 + Math.exp(2.0)), within(1e-15));
    }

    @Test
    void extremeArgumentsSaturateWithoutOverflow() {
        Gate g = new Gate(0.5, 1e-6);
        assertThat(g.weight(1e6)).isEqualTo(1.0);
        assertThat(g.weight(-1e6)).isEqualTo(0.0);
    }

    @Test
    void zeroTemperatureIsAStep() {
        Gate g = Gate.step(0.6);
        assertThat(g.weight(0.6)).isEqualTo(1.0);
        assertThat(g.weight(0.5999)).isEqualTo(0.0);
    }

    @Test
    void invalidGatesAreRejected() {
        assertThatThrownBy(() -> new Gate(Double.NaN, 0.1)).hasMessageContaining("bias must be finite");
        assertThatThrownBy(() -> new Gate(0.7, -0.1)).hasMessageContaining("temperature must be finite and >= 0");
    }
}
