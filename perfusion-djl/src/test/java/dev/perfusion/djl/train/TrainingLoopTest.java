package dev.perfusion.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.djl.testing.EngineScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final TrainingLoop.Settings SETTINGS = new TrainingLoop.Settings(20,
            new LearningRate(0.5, 3, 20, 0.1), 0.01, 1.0, 0.9, 5);
    private static final ProgressListener QUIET = p -> { };

    /**
     * Least squares on a fresh batch every step: the batch of step {@code s} depends on {@code s} alone, as
     * {@link TrainingTask} requires.
     */
    private static TrainingTask regression(NDManager manager) {
        NDArray weights = manager.create(new float[] {0.5f, -0.25f, 1f, 0f});
        Parameters parameters = new Parameters(Map.of("w", weights));
        return new TrainingTask() {
            @Override
            public String name() {
                return "regression";
            }

            @Override
            public Parameters parameters() {
                return parameters;
            }

            @Override
            public NDArray loss(NDManager m, long step) {
                SplittableRandom random = new SplittableRandom(step);
                float[] x = new float[8 * 4];
                float[] y = new float[8];
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 4; j++) {
                        x[i * 4 + j] = (float) random.nextGaussian();
                        y[i] += x[i * 4 + j] * (j + 1);
                    }
                }
                NDArray predicted = m.create(x, new Shape(8, 4)).matMul(weights.reshape(4, 1)).reshape(8);
                return predicted.sub(m.create(y)).square().mean();
            }
        };
    }

    private static JsonNode record(String recipe) {
        return new ObjectMapper().createObjectNode().put("part", "regression").put("recipe", recipe);
    }

    @Test
    void aRunPausedAndResumedEndsBitForBitWhereAnUninterruptedRunEnds(@TempDir Path dir) throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            TrainingLoop.Result straight = TrainingLoop.run(regression(m), SETTINGS,
                    new CheckpointFolder(dir.resolve("straight")), m, record("a"), QUIET, () -> false);

            AtomicInteger polls = new AtomicInteger();
            CheckpointFolder paused = new CheckpointFolder(dir.resolve("paused"));
            assertThatThrownBy(() -> TrainingLoop.run(regression(m), SETTINGS, paused, m, record("a"), QUIET,
                    () -> polls.incrementAndGet() == 7))
                    .isInstanceOf(CancellationException.class)
                    .hasMessageContaining("after step 7");
            TrainingLoop.Result resumed = TrainingLoop.run(regression(m), SETTINGS, paused, m, record("a"), QUIET,
                    () -> false);

            assertThat(resumed.resumedAt()).isEqualTo(7);
            assertThat(resumed.losses()).hasSize(13);
            assertThat(resumed.losses()).isEqualTo(straight.losses().subList(7, 20));
            assertThat(resumed.parameters().arrays().get("w").toFloatArray())
                    .containsExactly(straight.parameters().arrays().get("w").toFloatArray());
            List<String> log = Files.readAllLines(paused.root().resolve("losses.csv"));
            assertThat(log).hasSize(21);
            assertThat(straight.losses().get(19)).isLessThan(straight.losses().get(0) / 3);
        }
    }

    @Test
    void refusesToResumeACheckpointMadeUnderAnotherRecipe(@TempDir Path dir) throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            CheckpointFolder folder = new CheckpointFolder(dir);
            TrainingLoop.Settings five = new TrainingLoop.Settings(5, SETTINGS.schedule(), 0.01, 1.0, 0.9, 5);
            TrainingLoop.run(regression(m), five, folder, m, record("a"), QUIET, () -> false);

            assertThatThrownBy(() -> TrainingLoop.run(regression(m), SETTINGS, folder, m, record("b"), QUIET,
                    () -> false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("regression")
                    .hasMessageContaining("differing: recipe")
                    .hasMessageContaining(dir.toString());
            TrainingLoop.Result same = TrainingLoop.run(regression(m), SETTINGS, folder, m, record("a"), QUIET,
                    () -> false);
            assertThat(same.resumedAt()).isEqualTo(5);
        }
    }
}
