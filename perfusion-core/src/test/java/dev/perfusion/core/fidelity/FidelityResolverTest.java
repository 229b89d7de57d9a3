package dev.perfusion.core.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.FidelityCurve;
import dev.perfusion.api.Gate;
import dev.perfusion.core.testing.SampleConcepts;
import java.util.List;
import org.junit.jupiter.api.Test;

class FidelityResolverTest {

    private final Concept tom = SampleConcepts.sd15("tom", 1);
    private final Concept chair = SampleConcepts.sd15("chair", 2);
    private final FidelityResolver resolver = new FidelityResolver();

    @Test
    void theDefaultCurveRunsLinearlyBetweenTheMeasuredEndsAtTheInferenceTemperature() {
        assertThat(FidelityCurve.DEFAULT.gate(0).bias()).isCloseTo(0.80, within(1e-12));
        assertThat(FidelityCurve.DEFAULT.gate(1).bias()).isCloseTo(0.55, within(1e-12));
        assertThat(FidelityCurve.DEFAULT.gate(0.25).bias()).isCloseTo(0.7375, within(1e-12));
        for (double f : new double[] {0, 0.5, 1}) {
            assertThat(FidelityCurve.DEFAULT.gate(f).temperature()).isEqualTo(Gate.INFERENCE.temperature());
        }
    }

    @Test
    void higherFidelityOpensTheGateWiderAtEverySimilarity() {
        for (double s = 0.0; s <= 1.0; s += 0.1) {
            double previous = -1;
            for (double f = 0; f <= 1.0001; f += 0.1) {
                double w = FidelityCurve.DEFAULT.gate(Math.min(f, 1)).weight(s);
                assertThat(w).isGreaterThan(previous);
                previous = w;
            }
        }
    }

    @Test
    void eachConceptGetsItsControlOrItsStoredGates() {
        List<ConceptGates> gates = resolver.resolve(List.of(tom, chair),
                List.of(FidelityControl.explicit("chair", Gate.step(0.9), new Gate(0.4, 0.05))));

        assertThat(gates.get(0)).isEqualTo(new ConceptGates(tom, tom.keyGate(), tom.valueGate()));
        assertThat(gates.get(1)).isEqualTo(new ConceptGates(chair, Gate.step(0.9), new Gate(0.4, 0.05)));

        ConceptGates level = resolver.resolve(List.of(tom), List.of(FidelityControl.of(tom, 1.0))).get(0);
        assertThat(level.key()).isEqualTo(FidelityCurve.DEFAULT.gate(1.0));
        assertThat(level.value()).isEqualTo(level.key());
    }

    @Test
    void controlsForAbsentOrRepeatedConceptsAreRejected() {
        assertThatThrownBy(() -> resolver.resolve(List.of(tom), List.of(FidelityControl.of("bob", 0.3))))
                .hasMessageContaining("fidelity is set for <bob>, which is not among the concepts given: [<tom>]");
        assertThatThrownBy(() -> resolver.resolve(List.of(tom),
                List.of(FidelityControl.of(tom, 0.3), FidelityControl.of(tom, 0.4))))
                .hasMessageContaining("fidelity is set twice for <tom>");
    }

    @Test
    void curvesMustOpenTheGateAsFidelityRises() {
        assertThatThrownBy(() -> new FidelityCurve(0.6, 0.8, 0.15)).hasMessageContaining("must be below");
        assertThatThrownBy(() -> FidelityCurve.DEFAULT.gate(1.5)).hasMessageContaining("[0, 1]");
    }
}
