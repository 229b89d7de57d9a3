package dev.perfusion.djl.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.Gate;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.core.edit.CovarianceInverse;
import dev.perfusion.core.edit.EditTarget;
import dev.perfusion.core.edit.GatedRankOneEdit;
import dev.perfusion.core.testing.RandomData;
import dev.perfusion.djl.testing.EngineScope;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL projection against the double-precision reference of perfusion-core, in float32. */
class GatedProjectionParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(11L, 8, 12, 1, MultiConceptMode.EXACT),
                Arguments.of(12L, 32, 48, 2, MultiConceptMode.APPROXIMATE),
                Arguments.of(13L, 96, 160, 3, MultiConceptMode.EXACT),
                Arguments.of(14L, 768, 320, 2, MultiConceptMode.APPROXIMATE),
                Arguments.of(15L, 768, 1280, 3, MultiConceptMode.EXACT));
    }

    @ParameterizedTest(name = "seed {0}, {1} -> {2}, {3} concepts, {4}")
    @MethodSource("cases")
    void batchedProjectionMatchesTheJavaReference(long seed, int in, int out, int n, MultiConceptMode mode) {
        RandomData random = new RandomData(seed);
        DMatrixRMaj w = random.projection(out, in);
        CovarianceInverse inverse = random.covarianceInverse(in);
        Gate[] gates = {Gate.INFERENCE, Gate.step(0.5), new Gate(0.6, 0.05)};
        List<EditTarget> concepts = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            concepts.add(new EditTarget(random.vector(in), random.vector(out), gates[c % gates.length]));
        }
        GatedRankOneEdit reference = GatedRankOneEdit.of(w, inverse, concepts, mode);

        int batch = 2;
        int tokens = 9;
        float[] encodings = new float[batch * tokens * in];
        for (int t = 0; t < batch * tokens; t++) {
            double[] e = t < n ? concepts.get(t).input() : random.vector(in);
            if (t >= n && t % 3 == 0) {
                double[] i = concepts.get(t % n).input();
                for (int j = 0; j < in; j++) {
                    e[j] = 0.3 * e[j] + 0.8 * i[j];
                }
            }
            for (int j = 0; j < in; j++) {
                encodings[t * in + j] = (float) e[j];
            }
        }

        try (NDManager m = ENGINE.manager().newSubManager()) {
            GatedProjection projection = GatedProjection.of(m, m.create(toFloat(w.data), new Shape(out, in)),
                    reference.plan());
            float[] actual = projection.forward(m.create(encodings, new Shape(batch, tokens, in))).toFloatArray();

            assertThat(actual).hasSize(batch * tokens * out);
            for (int t = 0; t < batch * tokens; t++) {
                double[] e = new double[in];
                for (int j = 0; j < in; j++) {
                    e[j] = encodings[t * in + j];
                }
                double[] expected = reference.apply(e);
                double diff = 0;
                double norm = 0;
                for (int o = 0; o < out; o++) {
                    double d = actual[t * out + o] - expected[o];
                    diff += d * d;
                    norm += expected[o] * expected[o];
                }
                assertThat(Math.sqrt(diff / norm)).as("token %d", t).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void aWeightOfAnotherShapeIsRejected() {
        RandomData random = new RandomData(4);
        GatedRankOneEdit edit = GatedRankOneEdit.of(random.projection(12, 8), random.covarianceInverse(8),
                List.of(new EditTarget(random.vector(8), random.vector(12), Gate.INFERENCE)),
                MultiConceptMode.EXACT);
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray wrong = m.zeros(new Shape(8, 12));
            assertThatThrownBy(() -> GatedProjection.of(m, wrong, edit.plan()))
                    .hasMessageContaining("edit's probe has shape (8, 1), expected (12, 1) for the projection's weight");
        }
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
