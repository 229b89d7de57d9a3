package dev.perfusion.djl.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.EditScope;
import java.util.List;
import java.util.Optional;

/**
 * Where the joint edit of one call acts, token by token, for concepts confined to their own token
 * ({@link EditScope#CONCEPT_TOKEN}). Concept {@code c}'s gate may open only at its own token; the components along
 * the concepts' {@code i*} are removed at every concept's token, so that the exact joint form stays exact there.
 * A concept that reaches all tokens has ones in both, as if unscoped.
 *
 * @param gates   (rows, tokens, n): 1 where concept {@code c}'s gated target is added
 * @param removal (rows, tokens, n): 1 where the component along concept {@code c}'s {@code i*} is removed
 */
public record TokenScope(NDArray gates, NDArray removal) {

    /**
     * The scope of {@code scopes.size()} concepts in a context whose row {@code r} holds concept {@code c}'s token at
     * {@code positions.get(r)[c]} ({@code -1} where the row lacks it); empty when every concept reaches all tokens.
     */
    public static Optional<TokenScope> of(NDManager m, List<EditScope> scopes, List<int[]> positions, int tokens) {
        if (!scopes.contains(EditScope.CONCEPT_TOKEN)) {
            return Optional.empty();
        }
        int n = scopes.size();
        int rows = positions.size();
        float[] gates = new float[rows * tokens * n];
        float[] removal = new float[rows * tokens * n];
        for (int r = 0; r < rows; r++) {
            int[] at = positions.get(r);
            if (at.length != n) {
                throw new IllegalArgumentException("row " + r + " gives positions of " + at.length
                        + " concepts, expected " + n);
            }
            boolean[] anyConcept = new boolean[tokens];
            for (int c = 0; c < n; c++) {
                if (at[c] >= tokens) {
                    throw new IllegalArgumentException("row " + r + " puts concept " + c + " at token " + at[c]
                            + " of " + tokens);
                }
                if (at[c] >= 0 && scopes.get(c) == EditScope.CONCEPT_TOKEN) {
                    anyConcept[at[c]] = true;
                }
            }
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < n; c++) {
                    int i = (r * tokens + t) * n + c;
                    boolean everywhere = scopes.get(c) == EditScope.ALL_TOKENS;
                    gates[i] = everywhere || at[c] == t ? 1f : 0f;
                    removal[i] = everywhere || anyConcept[t] ? 1f : 0f;
                }
            }
        }
        Shape shape = new Shape(rows, tokens, n);
        return Optional.of(new TokenScope(m.create(gates, shape), m.create(removal, shape)));
    }
}
