package dev.perfusion.djl.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FusedAttentionTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    @BeforeAll
    static void open() {
        ENGINE.engine().setRandomSeed(7);
    }

    /** The textbook form, {@code softmax(q k^T / sqrt(d)) v}, with explicit operations. */
    private static NDArray explicit(NDArray q, NDArray k, NDArray v) {
        long d = q.getShape().get(3);
        return q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(d)).softmax(-1).matMul(v);
    }

    @Test
    void equalsSoftmaxOfScaledScoresTimesValues() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray q = m.randomNormal(new Shape(2, 3, 50, 16));
            NDArray k = m.randomNormal(new Shape(2, 3, 77, 16));
            NDArray v = m.randomNormal(new Shape(2, 3, 77, 24));

            NDArray fused = FusedAttention.apply(q, k, v);

            assertThat(fused.getShape()).isEqualTo(new Shape(2, 3, 50, 24));
            assertThat(Fixtures.maxRelativeError(fused, explicit(q, k, v))).isLessThan(1e-5);
        }
    }

    @Test
    void acceptsStridedViewsOfTokenMajorProjections() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray projected = m.randomNormal(new Shape(2, 40, 4 * 8));
            NDArray heads = projected.reshape(2, 40, 4, 8).transpose(0, 2, 1, 3);

            assertThat(Fixtures.maxRelativeError(FusedAttention.apply(heads, heads, heads),
                    explicit(heads, heads, heads))).isLessThan(1e-5);
        }
    }

    @Test
    void gradientsEqualThoseOfTheExplicitForm() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray q = m.randomNormal(new Shape(1, 2, 30, 8));
            NDArray k = m.randomNormal(new Shape(1, 2, 20, 8));
            NDArray v = m.randomNormal(new Shape(1, 2, 20, 8));
            NDArray weights = m.randomNormal(new Shape(1, 2, 30, 8));

            NDArray[] fused = gradients(q, k, v, weights, true);
            NDArray[] reference = gradients(q, k, v, weights, false);

            for (int i = 0; i < 3; i++) {
                assertThat(fused[i].abs().max().getFloat()).isGreaterThan(0);
                assertThat(Fixtures.maxRelativeError(fused[i], reference[i])).as("gradient %d", i).isLessThan(1e-4);
            }
        }
    }

    private static NDArray[] gradients(NDArray q, NDArray k, NDArray v, NDArray weights, boolean fused) {
        NDArray[] inputs = {q.duplicate(), k.duplicate(), v.duplicate()};
        for (NDArray input : inputs) {
            input.setRequiresGradient(true);
        }
        try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
            NDArray out = fused ? FusedAttention.apply(inputs[0], inputs[1], inputs[2])
                    : explicit(inputs[0], inputs[1], inputs[2]);
            collector.backward(out.mul(weights).sum());
        }
        return new NDArray[] {inputs[0].getGradient(), inputs[1].getGradient(), inputs[2].getGradient()};
    }

    @Test
    void refusesArraysWithoutAHeadAxis() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray flat = m.zeros(new Shape(4, 10, 8));

            assertThatThrownBy(() -> FusedAttention.apply(flat, flat, flat))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4, 10, 8)");
        }
    }
}
