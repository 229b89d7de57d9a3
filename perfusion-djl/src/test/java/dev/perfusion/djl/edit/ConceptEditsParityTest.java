package dev.perfusion.djl.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.perfusion.core.edit.CovarianceInverse;
import dev.perfusion.core.edit.EditTarget;
import dev.perfusion.core.edit.GatedRankOneEdit;
import dev.perfusion.core.edit.KeyLock;
import dev.perfusion.core.testing.RandomData;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import dev.perfusion.djl.unet.CrossAttentionLayer;
import dev.perfusion.djl.unet.TextConditioning;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Edits built on the device from concepts, against the double-precision reference of perfusion-core. */
class ConceptEditsParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static UNet2DConditionModel unet;

    @BeforeAll
    static void load() throws IOException {
        unet = UNet2DConditionModel.load(Fixtures.MODEL.resolve("unet"), ENGINE.manager());
    }

    @AfterAll
    static void close() {
        unet.close();
    }

    private static Concept concept(String name, RandomData random, int width, List<CrossAttentionLayer> layers,
            boolean storeKeys) {
        Concept.Builder b = Concept.builder().name(name).supercategory("cat").baseModel("test")
                .tokenEmbedding(random.floats(width)).conceptInput(random.floats(width))
                .supercategoryInput(random.floats(width));
        for (CrossAttentionLayer layer : layers) {
            int out = (int) layer.valueWeight().getShape().get(0);
            b.valueTarget(layer.name(), random.floats(out));
            if (storeKeys) {
                b.keyTarget(layer.name(), random.floats(out));
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(MultiConceptMode.class)
    void everyLayersKeyAndValueEditMatchesTheReferenceWithBothKeyLockForms(MultiConceptMode mode) {
        List<CrossAttentionLayer> layers = unet.crossAttentionLayers();
        int width = (int) layers.get(0).keyWeight().getShape().get(1);
        RandomData random = new RandomData(21);
        CovarianceInverse inverse = random.covarianceInverse(width);
        List<ConceptGates> concepts = List.of(
                new ConceptGates(concept("tom", random, width, layers, false), Gate.INFERENCE, new Gate(0.6, 0.1)),
                new ConceptGates(concept("chair", random, width, layers, true), Gate.step(0.5), Gate.TRAINING),
                new ConceptGates(concept("lamp", random, width, layers, false).toBuilder()
                        .keyLockForm(KeyLockForm.PROPORTIONAL).build(), new Gate(0.7, 0.3), Gate.INFERENCE),
                new ConceptGates(concept("rug", random, width, layers, true).toBuilder()
                        .keyLockForm(KeyLockForm.PROPORTIONAL).build(), Gate.TRAINING, Gate.INFERENCE));
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray c = m.create(toFloat(inverse.matrix().data), new Shape(width, width));
            Map<String, TextConditioning.LayerEdit> edits = ConceptEdits.build(layers, c, concepts, mode, m);
            assertThat(edits.keySet()).containsExactlyElementsOf(layers.stream().map(CrossAttentionLayer::name)
                    .toList());
            float[] encodings = random.floats(3 * width);
            double[] first = concepts.get(0).concept().conceptInput().length == width
                    ? toDouble(concepts.get(0).concept().conceptInput()) : null;
            System.arraycopy(concepts.get(0).concept().conceptInput(), 0, encodings, 0, width);
            NDArray e = m.create(encodings, new Shape(1, 3, width));
            for (CrossAttentionLayer layer : layers) {
                for (boolean key : new boolean[] {true, false}) {
                    NDArray w = key ? layer.keyWeight() : layer.valueWeight();
                    DMatrixRMaj wd = new DMatrixRMaj((int) w.getShape().get(0), width, true,
                            toDouble(w.toFloatArray()));
                    List<EditTarget> targets = new ArrayList<>();
                    for (ConceptGates g : concepts) {
                        Concept con = g.concept();
                        double[] output = key
                                ? (con.keyTargets().containsKey(layer.name())
                                        ? toDouble(con.keyTargets().get(layer.name()))
                                        : KeyLock.target(wd, toDouble(con.supercategoryInput())))
                                : toDouble(con.valueTarget(layer.name()));
                        double[] anchor = key && con.keyLockForm() == KeyLockForm.PROPORTIONAL
                                ? toDouble(con.supercategoryInput()) : new double[width];
                        targets.add(new EditTarget(toDouble(con.conceptInput()), output, key ? g.key() : g.value(),
                                anchor));
                    }
                    GatedRankOneEdit reference = GatedRankOneEdit.of(wd, inverse, targets, mode);
                    TextConditioning.LayerEdit edit = edits.get(layer.name());
                    float[] actual = (key ? edit.key() : edit.value()).forward(e).toFloatArray();
                    int out = wd.numRows;
                    for (int t = 0; t < 3; t++) {
                        double[] expected = reference.apply(toDouble(java.util.Arrays.copyOfRange(encodings,
                                t * width, (t + 1) * width)));
                        double diff = 0;
                        double norm = 0;
                        for (int o = 0; o < out; o++) {
                            double d = actual[t * out + o] - expected[o];
                            diff += d * d;
                            norm += expected[o] * expected[o];
                        }
                        assertThat(Math.sqrt(diff / norm)).as("%s %s token %d", layer.name(), key ? "key" : "value",
                                t).isLessThan(1e-4);
                    }
                }
            }
            assertThat(first).isNotNull();
        }
    }

    @Test
    void aConceptForAnotherModelIsRefusedByLayerOrWidth() {
        List<CrossAttentionLayer> layers = unet.crossAttentionLayers();
        int width = (int) layers.get(0).keyWeight().getShape().get(1);
        RandomData random = new RandomData(5);
        Concept partial = concept("tom", random, width, layers.subList(0, 2), false);
        Concept wide = concept("wide", random, width + 1, layers, false);
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray c = m.eye(width);
            assertThatThrownBy(() -> ConceptEdits.build(layers, c,
                    List.of(new ConceptGates(partial, Gate.INFERENCE, Gate.INFERENCE)), MultiConceptMode.EXACT, m))
                    .isInstanceOf(PerfusionException.class)
                    .hasMessageContaining("concept <tom> has no value target for layer '" + layers.get(2).name());
            assertThatThrownBy(() -> ConceptEdits.build(layers, c,
                    List.of(new ConceptGates(wide, Gate.INFERENCE, Gate.INFERENCE)), MultiConceptMode.EXACT, m))
                    .hasMessageContaining("text encodings of width " + (width + 1));
        }
    }

    @Test
    void aConceptConfinedToItsTokenIsRefusedWithoutTheTokenPositions() {
        List<CrossAttentionLayer> layers = unet.crossAttentionLayers();
        int width = (int) layers.get(0).keyWeight().getShape().get(1);
        Concept confined = concept("tom", new RandomData(6), width, layers, false).toBuilder()
                .editScope(EditScope.CONCEPT_TOKEN).build();
        List<ConceptGates> concepts = List.of(new ConceptGates(confined, Gate.INFERENCE, Gate.INFERENCE));
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray c = m.eye(width);
            assertThatThrownBy(() -> ConceptEdits.build(layers, c, concepts, MultiConceptMode.EXACT, m))
                    .hasMessageContaining("concept <tom> reaches only its own token");
            assertThatThrownBy(() -> ConceptEdits.build(layers, c, concepts, MultiConceptMode.EXACT,
                    java.util.Optional.empty(), m)).hasMessageContaining("but no token scope was given");
        }
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
