package dev.perfusion.djl.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.Gate;
import dev.perfusion.core.testing.RandomData;
import dev.perfusion.djl.testing.EngineScope;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokenScopeTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final int IN = 12;
    private static final int OUT = 10;
    private static final int TOKENS = 6;

    @Test
    void aConceptConfinedToItsTokenLeavesEveryOtherTokenAsTheBaseModelProjectsIt() {
        RandomData random = new RandomData(3);
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray weight = m.create(random.floats(OUT * IN), new Shape(OUT, IN));
            GatedProjection edit = edit(m, random, weight, 1);
            NDArray encodings = m.create(random.floats(2 * TOKENS * IN), new Shape(2, TOKENS, IN));
            TokenScope scope = TokenScope.of(m, List.of(EditScope.CONCEPT_TOKEN),
                    List.of(new int[] {2}, new int[] {4}), TOKENS).orElseThrow();

            float[] scoped = edit.scopedTo(scope).forward(encodings).toFloatArray();
            float[] everywhere = edit.forward(encodings).toFloatArray();
            float[] plain = ai.djl.nn.core.Linear.linear(encodings, weight).singletonOrThrow().toFloatArray();

            for (int row = 0; row < 2; row++) {
                int concept = row == 0 ? 2 : 4;
                for (int t = 0; t < TOKENS; t++) {
                    float[] expected = t == concept ? everywhere : plain;
                    for (int o = 0; o < OUT; o++) {
                        int i = (row * TOKENS + t) * OUT + o;
                        assertThat(scoped[i]).as("row %d token %d channel %d", row, t, o).isEqualTo(expected[i]);
                    }
                }
            }
            assertThat(everywhere).as("the unscoped edit reaches other tokens").isNotEqualTo(plain);
        }
    }

    @Test
    void gatesOpenAtEachConceptsOwnTokenAndRemovalActsAtEveryConceptsToken() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            TokenScope scope = TokenScope.of(m,
                    List.of(EditScope.CONCEPT_TOKEN, EditScope.ALL_TOKENS, EditScope.CONCEPT_TOKEN),
                    List.of(new int[] {1, 3, -1}, new int[] {2, -1, 4}), 5).orElseThrow();
            assertThat(scope.gates().getShape()).isEqualTo(new Shape(2, 5, 3));
            float[] gates = scope.gates().toFloatArray();
            float[] removal = scope.removal().toFloatArray();
            float[][] expectedGates = {
                {0, 1, 0}, {1, 1, 0}, {0, 1, 0}, {0, 1, 0}, {0, 1, 0},
                {0, 1, 0}, {0, 1, 0}, {1, 1, 0}, {0, 1, 0}, {0, 1, 1}};
            float[][] expectedRemoval = {
                {0, 1, 0}, {1, 1, 1}, {0, 1, 0}, {0, 1, 0}, {0, 1, 0},
                {0, 1, 0}, {0, 1, 0}, {1, 1, 1}, {0, 1, 0}, {1, 1, 1}};
            for (int t = 0; t < 10; t++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(gates[t * 3 + c]).as("gate, row-token %d concept %d", t, c)
                            .isEqualTo(expectedGates[t][c]);
                    assertThat(removal[t * 3 + c]).as("removal, row-token %d concept %d", t, c)
                            .isEqualTo(expectedRemoval[t][c]);
                }
            }
        }
    }

    @Test
    void conceptsThatReachAllTokensNeedNoScopeAndBadPositionsAreRefused() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            assertThat(TokenScope.of(m, List.of(EditScope.ALL_TOKENS), List.of(new int[] {1}), 4)).isEmpty();
            assertThatThrownBy(() -> TokenScope.of(m, List.of(EditScope.CONCEPT_TOKEN), List.of(new int[] {4}), 4))
                    .hasMessageContaining("row 0 puts concept 0 at token 4 of 4");
            assertThatThrownBy(() -> TokenScope.of(m, List.of(EditScope.CONCEPT_TOKEN),
                    List.of(new int[] {1, 2}), 4)).hasMessageContaining("row 0 gives positions of 2 concepts");
            GatedProjection edit = edit(m, new RandomData(4), m.zeros(new Shape(OUT, IN)), 2);
            TokenScope one = TokenScope.of(m, List.of(EditScope.CONCEPT_TOKEN), List.of(new int[] {1}), 4)
                    .orElseThrow();
            assertThatThrownBy(() -> edit.scopedTo(one)).hasMessageContaining("does not fit an edit of 2 concepts");
        }
    }

    private static GatedProjection edit(NDManager m, RandomData random, NDArray weight, int n) {
        float[] energy = new float[n];
        java.util.Arrays.fill(energy, 1.5f);
        return new GatedProjection(weight, m.create(random.floats(IN * n), new Shape(IN, n)), m.create(energy),
                m.create(random.floats(n * OUT), new Shape(n, OUT)), m.create(random.floats(n * OUT),
                new Shape(n, OUT)), java.util.Collections.nCopies(n, new Gate(0.2, 0.3)));
    }
}
