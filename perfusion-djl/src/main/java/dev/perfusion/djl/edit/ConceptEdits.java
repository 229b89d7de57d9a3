package dev.perfusion.djl.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.Concept;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.Gate;
import dev.perfusion.api.KeyLockForm;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.spi.GenerationJob.ConceptGates;
import dev.perfusion.core.edit.Gram;
import dev.perfusion.djl.unet.CrossAttentionLayer;
import dev.perfusion.djl.unet.TextConditioning.LayerEdit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns concepts into the edited key and value projections of every cross-attention layer, on the device: the joint
 * gated rank-one edit of {@code perfusion-core}'s reference ({@code GatedRankOneEdit}), built from the concepts'
 * {@code i*}, {@code i_s} and value targets and the model's {@code C^{-1}}, without copying any weight. Keys are
 * locked: a concept's key target is its stored one, or {@code W_k i_s}, put back in the concept's
 * {@link KeyLockForm} (a proportional lock anchors the key's removed component at {@code i_s}).
 */
public final class ConceptEdits {

    private ConceptEdits() {
    }

    /**
     * The edits of {@code concepts} that reach all tokens ({@link EditScope#ALL_TOKENS}) in every layer, their arrays
     * on {@code m}; a concept confined to its own token needs the token positions of
     * {@link #build(List, NDArray, List, MultiConceptMode, Optional, NDManager)}.
     *
     * @param inverseCovariance {@code C^{-1}}, (width, width), on the model's device
     */
    public static Map<String, LayerEdit> build(List<CrossAttentionLayer> layers, NDArray inverseCovariance,
            List<ConceptGates> concepts, MultiConceptMode mode, NDManager m) {
        return build(layers, inverseCovariance, concepts, mode, Optional.empty(), m);
    }

    /**
     * The edits of {@code concepts} in every layer, confined to the tokens {@code scope} allows when it is present
     * (it must be where any concept reaches only its own token), their arrays on {@code m}.
     *
     * @param inverseCovariance {@code C^{-1}}, (width, width), on the model's device
     */
    public static Map<String, LayerEdit> build(List<CrossAttentionLayer> layers, NDArray inverseCovariance,
            List<ConceptGates> concepts, MultiConceptMode mode, Optional<TokenScope> scope, NDManager m) {
        if (scope.isEmpty()) {
            for (ConceptGates c : concepts) {
                if (c.concept().editScope() != EditScope.ALL_TOKENS) {
                    throw new IllegalArgumentException("concept <" + c.concept().name() + "> reaches only its own "
                            + "token, but no token scope was given: its edit needs the prompts' token positions");
                }
            }
        }
        if (concepts.isEmpty()) {
            return Map.of();
        }
        int width = (int) inverseCovariance.getShape().get(0);
        int n = concepts.size();
        float[] inputs = new float[width * n];
        float[] supercategories = new float[width * n];
        float[] anchors = new float[width * n];
        for (int c = 0; c < n; c++) {
            Concept concept = concepts.get(c).concept();
            if (concept.encodingWidth() != width) {
                throw new PerfusionException("concept <" + concept.name() + "> was made for text encodings of width "
                        + concept.encodingWidth() + ", this model's are " + width);
            }
            float[] i = concept.conceptInput();
            float[] s = concept.supercategoryInput();
            boolean proportional = concept.keyLockForm() == KeyLockForm.PROPORTIONAL;
            for (int j = 0; j < width; j++) {
                inputs[j * n + c] = i[j];
                supercategories[j * n + c] = s[j];
                anchors[j * n + c] = proportional ? s[j] : 0f;
            }
        }
        NDArray iStar = m.create(inputs, new Shape(width, n));
        NDArray iSuper = m.create(supercategories, new Shape(width, n));
        NDArray keyAnchors = m.create(anchors, new Shape(width, n));
        NDArray keyRemoved = iStar.sub(keyAnchors);
        NDArray probe = inverseCovariance.matMul(iStar);
        probe.attach(m);
        NDArray gram = iStar.transpose().matMul(probe);
        double[] g = gram.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[][] gramRows = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                gramRows[a][b] = g[a * n + b];
            }
        }
        double[][] coefficients;
        try {
            coefficients = Gram.removal(gramRows, mode);
        } catch (IllegalArgumentException e) {
            throw new PerfusionException("the concepts " + names(concepts) + " cannot be edited jointly: "
                    + e.getMessage(), e);
        }
        float[] a = new float[n * n];
        float[] energy = new float[n];
        for (int r = 0; r < n; r++) {
            energy[r] = (float) gramRows[r][r];
            for (int c = 0; c < n; c++) {
                a[r * n + c] = (float) coefficients[r][c];
            }
        }
        NDArray removalCoefficients = m.create(a, new Shape(n, n));
        NDArray energies = m.create(energy);
        List<Gate> keyGates = new ArrayList<>();
        List<Gate> valueGates = new ArrayList<>();
        concepts.forEach(c -> {
            keyGates.add(c.key());
            valueGates.add(c.value());
        });
        Map<String, LayerEdit> edits = new LinkedHashMap<>();
        for (CrossAttentionLayer layer : layers) {
            NDArray wk = layer.keyWeight();
            NDArray wv = layer.valueWeight();
            NDArray keyRemoval = removalCoefficients.matMul(projectRows(keyRemoved, wk, m));
            NDArray valueRemoval = removalCoefficients.matMul(projectRows(iStar, wv, m));
            NDArray keyTargets = keyTargets(layer, concepts, iSuper, wk, m).sub(projectRows(keyAnchors, wk, m));
            NDArray valueTargets = valueTargets(layer, concepts, m);
            GatedProjection key = new GatedProjection(wk, probe, energies, keyRemoval, keyTargets, keyGates);
            GatedProjection value = new GatedProjection(wv, probe, energies, valueRemoval, valueTargets, valueGates);
            edits.put(layer.name(), scope.map(s -> new LayerEdit(key.scopedTo(s), value.scopedTo(s)))
                    .orElseGet(() -> new LayerEdit(key, value)));
        }
        return Collections.unmodifiableMap(edits);
    }

    /** {@code (W x_c)} for each column {@code x_c} of {@code columns} (width, n), as rows (n, out). */
    static NDArray projectRows(NDArray columns, NDArray w, NDManager m) {
        NDArray rows = ai.djl.nn.core.Linear.linear(columns.transpose(), w).singletonOrThrow();
        rows.attach(m);
        return rows;
    }

    private static NDArray keyTargets(CrossAttentionLayer layer, List<ConceptGates> concepts, NDArray iSuper,
            NDArray wk, NDManager m) {
        NDArray locked = projectRows(iSuper, wk, m);
        int out = (int) wk.getShape().get(0);
        float[] rows = locked.toFloatArray();
        for (int c = 0; c < concepts.size(); c++) {
            float[] stored = concepts.get(c).concept().keyTargets().get(layer.name());
            if (stored != null) {
                requireWidth(concepts.get(c).concept(), layer, stored, out, "key");
                System.arraycopy(stored, 0, rows, c * out, out);
            }
        }
        return m.create(rows, new Shape(concepts.size(), out));
    }

    private static NDArray valueTargets(CrossAttentionLayer layer, List<ConceptGates> concepts, NDManager m) {
        int out = (int) layer.valueWeight().getShape().get(0);
        float[] rows = new float[concepts.size() * out];
        for (int c = 0; c < concepts.size(); c++) {
            Concept concept = concepts.get(c).concept();
            if (!concept.layers().contains(layer.name())) {
                throw new PerfusionException("concept <" + concept.name() + "> has no value target for layer '"
                        + layer.name() + "': it was made for another model");
            }
            float[] target = concept.valueTarget(layer.name());
            requireWidth(concept, layer, target, out, "value");
            System.arraycopy(target, 0, rows, c * out, out);
        }
        return m.create(rows, new Shape(concepts.size(), out));
    }

    private static void requireWidth(Concept concept, CrossAttentionLayer layer, float[] target, int out,
            String what) {
        if (target.length != out) {
            throw new PerfusionException("concept <" + concept.name() + ">'s " + what + " target for layer '"
                    + layer.name() + "' has " + target.length + " values, the layer projects to " + out);
        }
    }

    private static List<String> names(List<ConceptGates> concepts) {
        return concepts.stream().map(c -> "<" + c.concept().name() + ">").toList();
    }
}
