package dev.perfusion.djl.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.perfusion.djl.testing.EngineScope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ScalarsTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    @Test
    void gradientsThroughAConstantSurviveCollectionsBetweenForwardAndBackward() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
                NDArray y = Scalars.over(Scalars.times(x, 3.0), 0.5).sum();
                churn();
                collector.backward(y);
            }
            assertThat(x.getGradient().toFloatArray()).containsExactly(6f, 6f, 6f);
        }
    }

    @Test
    void theConstantTakesTheArraysTypeAndDevice() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray x = m.create(new double[] {1.5});
            NDArray y = Scalars.times(x, 2);
            assertThat(y.getDataType()).isEqualTo(x.getDataType());
            assertThat(y.toDoubleArray()).containsExactly(3.0);
        }
    }

    /** Collects garbage and fills freshly allocated native buffers with NaN, as a busy program would reuse them. */
    private static void churn() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            List<ByteBuffer> buffers = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, Float.NaN);
                buffers.add(b);
            }
            buffers.clear();
        }
    }
}
