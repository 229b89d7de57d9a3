package dev.perfusion.djl.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.core.testing.Tolerance;
import dev.perfusion.djl.testing.EngineScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GegluTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    /** Exact GELU, {@code x * Phi(x)}, at 1, -1, 2 and 0.5 (the tanh approximation is off by about 1e-4 here). */
    private static final float[] X = {1f, -1f, 2f, 0.5f};
    private static final double[] GELU = {0.8413447460685429, -0.15865525393145707, 1.9544997361036416,
        0.34573123063700656};

    @Test
    void gatesTheFirstHalfOfTheProjectionByTheExactGeluOfTheSecond() {
        // Hidden rows scale each input by 3 and add 1; gate rows pass it through unchanged.
        NDArray identity = ENGINE.manager().eye(4);
        NDArray weight = identity.mul(3).concat(identity, 0);
        NDArray bias = ENGINE.manager().ones(new Shape(4)).concat(ENGINE.manager().zeros(new Shape(4)), 0);
        NDArray x = ENGINE.manager().create(X, new Shape(1, 1, 4));

        float[] out = new Geglu(weight, bias).forward(x).toFloatArray();

        for (int i = 0; i < X.length; i++) {
            assertThat((double) out[i]).as("input %s", X[i]).isCloseTo((3 * X[i] + 1) * GELU[i],
                    Tolerance.float32Ulps((3 * X[i] + 1) * GELU[i], 16));
        }
    }

    @Test
    void keepsTheLeadingAxesAndHalvesTheProjectedWidth() {
        NDArray weight = ENGINE.manager().randomNormal(new Shape(12, 5));
        NDArray bias = ENGINE.manager().randomNormal(new Shape(12));

        assertThat(new Geglu(weight, bias).forward(ENGINE.manager().randomNormal(new Shape(2, 7, 5))).getShape())
                .isEqualTo(new Shape(2, 7, 6));
    }
}
