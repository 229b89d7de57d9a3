package dev.perfusion.core.edit;

import static dev.perfusion.core.testing.Vectors.bilinear;
import static dev.perfusion.core.testing.Vectors.plus;
import static dev.perfusion.core.testing.Vectors.relativeError;
import static dev.perfusion.core.testing.Vectors.scale;
import static dev.perfusion.core.testing.Vectors.times;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.perfusion.api.Gate;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.core.testing.RandomData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Closed-form properties of the gated rank-one edit on random data: several seeds, widths up to SD 1.5's
 * 768 -> 1280.
 */
class GatedRankOneEditPropertiesTest {

    private static final double TOLERANCE = 1e-5;
    /** Fully open at a concept's own input (s = 1), fully closed at s = 0. */
    private static final Gate OPEN = Gate.step(0.5);
    private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

    record Fixture(RandomData random, DMatrixRMaj w, CovarianceInverse inverse) {
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(1L, 8, 12),
                Arguments.of(2L, 32, 48),
                Arguments.of(3L, 96, 160),
                Arguments.of(4L, 768, 320),
                Arguments.of(5L, 768, 1280));
    }

    private static Fixture fixture(long seed, int in, int out) {
        return FIXTURES.computeIfAbsent(seed + ":" + in + ":" + out, k -> {
            RandomData random = new RandomData(seed);
            return new Fixture(random, random.projection(out, in), random.covarianceInverse(in));
        });
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void openGateMapsTheConceptInputToItsTarget(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        double[] iStar = f.random.vector(in);
        double[] oStar = f.random.vector(out);
        GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse, List.of(new EditTarget(iStar, oStar, OPEN)),
                MultiConceptMode.EXACT);

        assertThat(edit.similarities(iStar)[0]).isCloseTo(1.0, within(1e-12));
        assertThat(relativeError(edit.apply(iStar), oStar)).isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void inputOrthogonalToEveryConceptInTheMetricIsUnchanged(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        List<EditTarget> concepts = randomConcepts(f, 3, in, out, OPEN);
        double[] e = metricOrthogonalComponent(f.random.vector(in), concepts, f.inverse.matrix());

        for (MultiConceptMode mode : MultiConceptMode.values()) {
            GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse, concepts, mode);
            assertThat(edit.similarities(e)).containsOnly(new double[] {0, 0, 0}, within(1e-9));
            assertThat(relativeError(edit.apply(e), times(f.w, e))).as(mode.name()).isLessThan(TOLERANCE);
        }
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void everyConceptHitsItsOwnTargetWhenSeveralAreEditedAtOnce(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        List<EditTarget> concepts = randomConcepts(f, 3, in, out, OPEN);
        GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse, concepts, MultiConceptMode.EXACT);

        for (int c = 0; c < concepts.size(); c++) {
            double[] s = edit.similarities(concepts.get(c).input());
            for (int other = 0; other < s.length; other++) {
                if (other != c) {
                    assertThat(Math.abs(s[other])).as("precondition: concepts are distinct").isLessThan(0.5);
                }
            }
            assertThat(relativeError(edit.apply(concepts.get(c).input()), concepts.get(c).output()))
                    .as("concept %d", c).isLessThan(TOLERANCE);
        }
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void ungatedRankOneUpdateHitsEveryTargetAndKeepsOrthogonalInputs(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        List<EditTarget> concepts = randomConcepts(f, 2, in, out, OPEN);
        double[][] inputs = concepts.stream().map(EditTarget::input).toArray(double[][]::new);
        double[][] outputs = concepts.stream().map(EditTarget::output).toArray(double[][]::new);

        DMatrixRMaj edited = RankOneUpdate.edit(f.w, f.inverse, inputs, outputs);

        for (int c = 0; c < inputs.length; c++) {
            assertThat(relativeError(times(edited, inputs[c]), outputs[c])).isLessThan(TOLERANCE);
        }
        double[] e = metricOrthogonalComponent(f.random.vector(in), concepts, f.inverse.matrix());
        assertThat(relativeError(times(edited, e), times(f.w, e))).isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void exactAndApproximateFormsAgreeWhenConceptInputsAreMetricOrthogonal(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        DMatrixRMaj metric = f.inverse.matrix();
        List<EditTarget> first = randomConcepts(f, 1, in, out, Gate.INFERENCE);
        double[] second = metricOrthogonalComponent(f.random.vector(in), first, metric);
        List<EditTarget> concepts = new ArrayList<>(first);
        concepts.add(new EditTarget(second, f.random.vector(out), new Gate(0.6, 0.1)));
        GatedRankOneEdit exact = GatedRankOneEdit.of(f.w, f.inverse, concepts, MultiConceptMode.EXACT);
        GatedRankOneEdit approximate = GatedRankOneEdit.of(f.w, f.inverse, concepts, MultiConceptMode.APPROXIMATE);

        for (double[] e : List.of(f.random.vector(in), concepts.get(0).input(), second,
                plus(second, 0.7, concepts.get(0).input()))) {
            assertThat(relativeError(approximate.apply(e), exact.apply(e))).isLessThan(TOLERANCE);
        }
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void exactFormRemovesTheWholeSpanOfTheConceptInputs(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        Gate closed = new Gate(1e6, 0.1);
        List<EditTarget> concepts = randomConcepts(f, 3, in, out, closed);
        GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse, concepts, MultiConceptMode.EXACT);
        double[] e = f.random.vector(in);
        double[] shifted = plus(plus(e, 0.8, concepts.get(0).input()), -1.3, concepts.get(2).input());

        assertThat(relativeError(edit.apply(shifted), edit.apply(e))).isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void aProportionalKeyLockSwapsEachConceptComponentForTheSupercategoryWhateverTheGate(long seed, int in,
            int out) {
        Fixture f = fixture(seed, in, out);
        double[] iStar = f.random.vector(in);
        double[] iSuper = f.random.vector(in);
        double[] locked = times(f.w, iSuper);
        double[] e = f.random.vector(in);
        double[] expectedAtE = null;
        for (Gate gate : List.of(OPEN, Gate.TRAINING, Gate.INFERENCE, new Gate(50, 0.15))) {
            GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse,
                    List.of(new EditTarget(iStar, locked, gate, iSuper)), MultiConceptMode.EXACT);
            double s = edit.similarities(e)[0];
            double[] swapped = times(f.w, plus(e, s, plus(iSuper, -1, iStar)));
            assertThat(relativeError(edit.apply(iStar), locked)).as("at i*, %s", gate).isLessThan(TOLERANCE);
            assertThat(relativeError(edit.apply(e), swapped)).as("%s", gate).isLessThan(TOLERANCE);
            expectedAtE = expectedAtE == null ? edit.apply(e) : expectedAtE;
            assertThat(relativeError(edit.apply(e), expectedAtE)).as("gate-free, %s", gate).isLessThan(TOLERANCE);
        }
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void anAnchoredEditStillMapsEveryConceptInputToItsTargetThroughTheOpenGate(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        Gate open = Gate.step(0.9);
        List<EditTarget> concepts = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            concepts.add(new EditTarget(f.random.vector(in), f.random.vector(out), open, f.random.vector(in)));
        }
        GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse, concepts, MultiConceptMode.EXACT);
        for (int c = 0; c < concepts.size(); c++) {
            double[] s = edit.similarities(concepts.get(c).input());
            for (int other = 0; other < s.length; other++) {
                if (other != c) {
                    assertThat(s[other]).as("precondition: concepts are distinct").isLessThan(0.9);
                }
            }
            assertThat(relativeError(edit.apply(concepts.get(c).input()), concepts.get(c).output()))
                    .as("concept %d", c).isLessThan(TOLERANCE);
        }
        double[] e = metricOrthogonalComponent(f.random.vector(in), concepts, f.inverse.matrix());
        assertThat(relativeError(edit.apply(e), times(f.w, e))).as("orthogonal input").isLessThan(TOLERANCE);
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}")
    @MethodSource("shapes")
    void gateOpeningFallsAsBiasRisesAndTheClosedGateGivesTheUneditedOutput(long seed, int in, int out) {
        Fixture f = fixture(seed, in, out);
        double[] iStar = f.random.vector(in);
        double[] oStar = f.random.vector(out);
        double[] unrelated = metricOrthogonalComponent(f.random.vector(in),
                List.of(new EditTarget(iStar, oStar, OPEN)), f.inverse.matrix());
        double previous = Double.POSITIVE_INFINITY;
        for (double bias = 0.3; bias <= 1.2; bias += 0.05) {
            Gate gate = new Gate(bias, 0.15);
            GatedRankOneEdit edit = GatedRankOneEdit.of(f.w, f.inverse,
                    List.of(new EditTarget(iStar, oStar, gate)), MultiConceptMode.EXACT);
            double[] atConcept = edit.apply(iStar);
            double opening = projectionCoefficient(atConcept, oStar);
            assertThat(relativeError(atConcept, scale(gate.weight(1.0), oStar))).isLessThan(TOLERANCE);
            assertThat(opening).isLessThan(previous);
            previous = opening;
        }

        GatedRankOneEdit closed = GatedRankOneEdit.of(f.w, f.inverse,
                List.of(new EditTarget(iStar, oStar, new Gate(50, 0.15))), MultiConceptMode.EXACT);
        assertThat(relativeError(closed.apply(unrelated), times(f.w, unrelated))).isLessThan(TOLERANCE);
        assertThat(projectionCoefficient(closed.apply(iStar), oStar)).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void linearlyDependentConceptInputsAreRejectedInExactMode() {
        Fixture f = fixture(1, 8, 12);
        double[] i = f.random.vector(8);
        List<EditTarget> twins = List.of(new EditTarget(i, f.random.vector(12), OPEN),
                new EditTarget(scale(2, i), f.random.vector(12), OPEN));

        assertThatThrownBy(() -> GatedRankOneEdit.of(f.w, f.inverse, twins, MultiConceptMode.EXACT))
                .hasMessageContaining("linearly dependent");
        assertThat(GatedRankOneEdit.of(f.w, f.inverse, twins, MultiConceptMode.APPROXIMATE).concepts()).isEqualTo(2);
    }

    @Test
    void mismatchedWidthsNameTheProblem() {
        Fixture f = fixture(1, 8, 12);
        assertThatThrownBy(() -> GatedRankOneEdit.of(f.w, f.inverse,
                List.of(new EditTarget(f.random.vector(9), f.random.vector(12), OPEN)), MultiConceptMode.EXACT))
                .hasMessageContaining("concept input i* 0 has 9 values, expected 8");
        assertThatThrownBy(() -> GatedRankOneEdit.of(f.w, f.inverse,
                List.of(new EditTarget(f.random.vector(8), f.random.vector(11), OPEN)), MultiConceptMode.EXACT))
                .hasMessageContaining("concept target o* 0 has 11 values, expected 12");
    }

    @Test
    void keyLockTargetIsTheSupercategoryKey() {
        Fixture f = fixture(2, 32, 48);
        double[] iSuper = f.random.vector(32);
        assertThat(KeyLock.target(f.w, iSuper)).containsExactly(times(f.w, iSuper), within(1e-12));
    }

    private static List<EditTarget> randomConcepts(Fixture f, int n, int in, int out, Gate gate) {
        List<EditTarget> concepts = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            concepts.add(new EditTarget(f.random.vector(in), f.random.vector(out), gate));
        }
        return concepts;
    }

    /** Modified Gram-Schmidt in the metric M: removes from v its M-projection on the span of the inputs. */
    static double[] metricOrthogonalComponent(double[] v, List<EditTarget> concepts, DMatrixRMaj metric) {
        List<double[]> basis = new ArrayList<>();
        for (EditTarget t : concepts) {
            double[] u = t.input();
            for (double[] b : basis) {
                u = plus(u, -bilinear(b, metric, u), b);
            }
            basis.add(scale(1 / Math.sqrt(bilinear(u, metric, u)), u));
        }
        double[] out = v.clone();
        for (double[] b : basis) {
            out = plus(out, -bilinear(b, metric, out), b);
        }
        return out;
    }

    private static double projectionCoefficient(double[] v, double[] onto) {
        double dot = 0;
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            dot += v[i] * onto[i];
            norm += onto[i] * onto[i];
        }
        return dot / norm;
    }
}
