package dev.perfusion.djl.concept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.Gate;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.KeyLockForm;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.api.TrainingImage;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.TrainingRequest;
import dev.perfusion.api.spi.GenerationJob.ConceptGates;
import dev.perfusion.api.spi.GenerationJob.PromptPart;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.train.Templates;
import dev.perfusion.core.world.HeldOutConcepts;
import dev.perfusion.core.world.Rendering;
import dev.perfusion.djl.edit.ConceptEdits;
import dev.perfusion.djl.pipeline.StableDiffusion;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import dev.perfusion.djl.unet.CrossAttentionLayer;
import dev.perfusion.djl.unet.TextConditioning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Concept training and generation with concepts, on the small test checkpoint. */
class ConceptTrainingTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static Perfusion perfusion;
    private static StableDiffusion model;

    @BeforeAll
    static void open() throws IOException {
        System.setProperty("perfusion.cache", Files.createTempDirectory("perfusion-cache").toString());
        perfusion = Perfusion.open(BaseModel.diffusers(Fixtures.MODEL));
        model = StableDiffusion.load(Fixtures.MODEL, ENGINE.manager());
    }

    @AfterAll
    static void close() {
        perfusion.close();
        model.close();
        System.clearProperty("perfusion.cache");
    }

    private static List<TrainingImage> photos(String concept, int count) {
        List<TrainingImage> out = new ArrayList<>();
        for (Rendering r : HeldOutConcepts.named(concept).orElseThrow().views(count, 1, 64)) {
            out.add(new TrainingImage(concept + " " + out.size(), 64, 64, r.rgb(), Optional.of(r.masks().get(0))));
        }
        return out;
    }

    private static TrainingOptions quick(int steps, long seed) {
        return TrainingOptions.builder().steps(steps).batchSize(2).gradientAccumulation(1).seed(seed).build();
    }

    private static Concept train(String name, TrainingOptions options) throws IOException {
        var job = perfusion.trainer().concept(name).supercategory("fish").options(options);
        for (TrainingImage photo : photos("nemo", 3)) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(64, 64,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, 64, 64, photo.rgb(), 0, 64);
            job.image(image);
        }
        return job.train();
    }

    private ConceptTraining.Setup setup() {
        return new ConceptTraining.Setup(model, inverseCovariance(), Templates.PHOTO);
    }

    private static NDArray inverseCovariance() {
        int width = model.textEncoder().config().hiddenSize();
        return ENGINE.manager().eye(width);
    }

    @Test
    void trainingIsDeterministicForASeedAndRecordsItsBaseModel() throws IOException {
        Concept a = train("tom", quick(3, 5));
        Concept b = train("tom", quick(3, 5));
        Concept c = train("tom", quick(3, 6));
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        assertThat(a.baseModel()).isEqualTo(perfusion.fingerprint());
        assertThat(a.method()).isEqualTo(ConceptMethod.PERFUSION);
        assertThat(a.keyTargets()).as("keys are locked, so none is stored").isEmpty();
        assertThat(a.layers()).containsExactlyElementsOf(model.unet().crossAttentionLayers().stream()
                .map(CrossAttentionLayer::name).toList());
        assertThat(a.training()).containsEntry("steps", "3").containsEntry("seed", "5")
                .containsEntry("edit_scope", "all-tokens");
        Concept confined = train("tom", quick(3, 5).toBuilder().editScope(EditScope.CONCEPT_TOKEN).build());
        assertThat(confined.editScope()).isEqualTo(EditScope.CONCEPT_TOKEN);
        assertThat(confined.training()).containsEntry("edit_scope", "concept-token");
        assertThat(confined.valueTargets().get(confined.layers().iterator().next()))
                .isNotEqualTo(a.valueTargets().get(a.layers().iterator().next()));
    }

    @Test
    void zoomingOutAddsShrunkCopiesOfEachPhotoAndIsRecordedInTheConcept() throws IOException {
        int side = model.defaultImageSize();
        try (NDManager m = ENGINE.manager().newSubManager()) {
            List<TrainingImage> photos = photos("nemo", 3);
            TrainingViews plain = TrainingViews.encode(photos, side, model.vaeScale(), true, 1, 0, model.vae(), m);
            TrainingViews zoomed = TrainingViews.encode(photos, side, model.vaeScale(), true, 0.5, 0, model.vae(),
                    m);
            assertThat(plain.count()).isEqualTo(6);
            assertThat(zoomed.count()).isEqualTo(6 * (1 + TrainingViews.SHRUNK_COPIES));
            int[] originals = {0, 1, 2, 3, 4, 5};
            NDArray zero = m.zeros(new Shape(6).addAll(plain.latentShape()));
            // The VAE encodes the two sets in batches of different make-up, so kernels may sum in another order.
            assertThat(relativeError(zoomed.sample(originals, zero).toFloatArray(),
                    plain.sample(originals, zero).toFloatArray()))
                    .as("the unshrunk views are the photos as before").isLessThan(1e-5);
            float[] own = plain.masks(originals, m).sum(new int[] {1, 2, 3}).toFloatArray();
            double shrunkTotal = 0;
            for (int copy = 1; copy <= TrainingViews.SHRUNK_COPIES; copy++) {
                for (int photo = 0; photo < 3; photo++) {
                    for (boolean mirror : new boolean[] {false, true}) {
                        int view = zoomed.index(photo, mirror, copy);
                        float area = zoomed.masks(new int[] {view}, m).sum().getFloat();
                        float full = own[plain.index(photo, mirror, 0)];
                        assertThat(area).as("copy %d of photo %d", copy, photo).isLessThanOrEqualTo(full * 1.1f);
                        shrunkTotal += area / full;
                    }
                }
            }
            assertThat(shrunkTotal / (TrainingViews.SHRUNK_COPIES * 6))
                    .as("mean area of a shrunk copy against its photo's, scales drawn from [0.5, 1]").isLessThan(0.9);
        }
        TrainingOptions zoom = quick(3, 5).toBuilder().smallestScale(0.5).build();
        Concept a = train("tom", zoom);
        assertThat(train("tom", zoom)).isEqualTo(a);
        assertThat(a.tokenEmbedding()).isNotEqualTo(train("tom", quick(3, 5)).tokenEmbedding());
        assertThat(a.training()).containsEntry("smallest_scale", "0.5");
    }

    @Test
    void onlyTheConceptsParametersChangeTheModelStaysBitIdentical() throws IOException {
        String before = perfusion.fingerprint();
        float[] unetBefore = unetOutput();
        Concept trained = train("tom", quick(4, 1));
        assertThat(perfusion.fingerprint()).isEqualTo(before);
        assertThat(unetOutput()).isEqualTo(unetBefore);
        Concept untrained = train("tom", TrainingOptions.builder().steps(1).batchSize(2).gradientAccumulation(1)
                .valueLearningRate(1e-30).embeddingLearningRate(0).seed(1).build());
        assertThat(trained.tokenEmbedding()).isNotEqualTo(untrained.tokenEmbedding());
    }

    private float[] unetOutput() {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray latents = m.ones(new Shape(1, 4, 8, 8));
            NDArray t = m.create(new float[] {500});
            NDArray context = m.ones(new Shape(1, 77, model.textEncoder().config().hiddenSize()));
            try (TextConditioning text = TextConditioning.of(context).withEnds(new int[] {6})) {
                return model.unet().forward(latents, t, text).toFloatArray();
            }
        }
    }

    @Test
    void aShortRunLowersTheDiffusionLossOnTheTrainingPhotos() throws IOException {
        TrainingRequest photos = new TrainingRequest("nemo", "fish", photos("nemo", 4), quick(1, 1));
        Concept start = train("nemo", TrainingOptions.builder().steps(1).batchSize(2).gradientAccumulation(1)
                .valueLearningRate(1e-30).embeddingLearningRate(0).seed(1).build());
        Concept trained = train("nemo", TrainingOptions.builder().steps(40).batchSize(2).gradientAccumulation(1)
                .seed(1).build());
        int[] timesteps = {100, 300, 500, 700, 900};
        double before = ConceptTraining.diffusionLoss(setup(), start, photos, timesteps, 7);
        double after = ConceptTraining.diffusionLoss(setup(), trained, photos, timesteps, 7);
        assertThat(ConceptTraining.diffusionLoss(setup(), trained, photos, timesteps, 7)).isEqualTo(after);
        assertThat(after).as("fixed-draw loss after 40 steps vs before").isLessThan(before);
    }

    @Test
    void cancellingStopsTrainingAndLeavesAnExistingConceptFileAsItWas(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tom.perfusion");
        Concept existing = train("tom", quick(1, 1));
        Perfusion.saveConcept(existing, file);
        byte[] saved = Files.readAllBytes(file);
        AtomicInteger steps = new AtomicInteger();
        var job = perfusion.trainer().concept("tom").supercategory("fish").options(quick(50, 2))
                .listener(p -> steps.incrementAndGet()).cancelWhen(() -> steps.get() >= 3);
        photos("nemo", 3).forEach(p -> {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(64, 64,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, 64, 64, p.rgb(), 0, 64);
            job.image(image);
        });
        assertThatThrownBy(() -> Perfusion.saveConcept(job.train(), file))
                .isInstanceOf(CancellationException.class).hasMessageContaining("after 3 of 50 steps");
        assertThat(Files.readAllBytes(file)).isEqualTo(saved);
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void anUntrainedConceptGivesTheSupercategorysKeysAndValuesAtItsTokenWithTheGateOpen() {
        List<CrossAttentionLayer> layers = model.unet().crossAttentionLayers();
        try (NDManager m = ENGINE.manager().newSubManager()) {
            List<PromptPart> concept = List.of(new PromptPart.Text("a photo of a "), new PromptPart.ConceptToken(0),
                    new PromptPart.Text(" on the sofa"));
            String supercategory = java.util.stream.Stream.of("cat", "dog", "photo", "sofa", "a")
                    .filter(w -> model.tokenizer().ids(" " + w + " ").size() == 1).findFirst().orElseThrow();
            int word = model.tokenizer().ids(" " + supercategory + " ").get(0);
            NDArray embedding = model.textEncoder().tokenEmbedding().get(word);
            embedding.attach(m);
            StableDiffusion.Encoded withConcept = model.encode(m, List.of(concept), List.of(embedding),
                    List.of(supercategory));
            StableDiffusion.Encoded withWord = model.encode(m, List.of(concept), null, List.of(supercategory));
            int p = withConcept.positions()[0][0];
            assertThat(withWord.positions()[0][0]).isEqualTo(p);
            NDArray at = withWord.hidden().get("0, " + p);
            float[] iS = at.toFloatArray();
            Concept.Builder b = Concept.builder().name("tom").supercategory(supercategory)
                    .baseModel(model.fingerprint())
                    .tokenEmbedding(embedding.toFloatArray()).conceptInput(iS).supercategoryInput(iS);
            for (CrossAttentionLayer layer : layers) {
                b.valueTarget(layer.name(), ai.djl.nn.core.Linear.linear(at, layer.valueWeight())
                        .singletonOrThrow().toFloatArray());
            }
            Concept untrained = b.build();
            Gate open = Gate.step(0.999);
            Map<String, TextConditioning.LayerEdit> edits = ConceptEdits.build(layers, inverseCovariance(),
                    List.of(new ConceptGates(untrained, open, open)), MultiConceptMode.EXACT, m);
            for (CrossAttentionLayer layer : layers) {
                TextConditioning.LayerEdit edit = edits.get(layer.name());
                float[] key = edit.key().forward(withConcept.hidden()).get("0, " + p).toFloatArray();
                float[] value = edit.value().forward(withConcept.hidden()).get("0, " + p).toFloatArray();
                float[] plainKey = ai.djl.nn.core.Linear.linear(at, layer.keyWeight()).singletonOrThrow()
                        .toFloatArray();
                float[] plainValue = ai.djl.nn.core.Linear.linear(at, layer.valueWeight()).singletonOrThrow()
                        .toFloatArray();
                assertThat(relativeError(key, plainKey)).as("%s key", layer.name()).isLessThan(1e-5);
                assertThat(relativeError(value, plainValue)).as("%s value", layer.name()).isLessThan(1e-5);
            }
        }
    }

    @Test
    void theKeyLockHoldsForATrainedConcept() throws IOException {
        Concept trained = train("tom", quick(5, 3));
        Gate gate = trained.keyGate();
        try (NDManager m = ENGINE.manager().newSubManager()) {
            Map<String, TextConditioning.LayerEdit> edits = ConceptEdits.build(model.unet().crossAttentionLayers(),
                    inverseCovariance(), List.of(new ConceptGates(trained, gate, gate)), MultiConceptMode.EXACT, m);
            NDArray iStar = m.create(trained.conceptInput(), new Shape(1, trained.encodingWidth()));
            NDArray iSuper = m.create(trained.supercategoryInput(), new Shape(1, trained.encodingWidth()));
            for (CrossAttentionLayer layer : model.unet().crossAttentionLayers()) {
                float[] key = edits.get(layer.name()).key().forward(iStar).toFloatArray();
                float[] locked = ai.djl.nn.core.Linear.linear(iSuper, layer.keyWeight()).singletonOrThrow()
                        .mul(gate.weight(1.0)).toFloatArray();
                assertThat(relativeError(key, locked)).as(layer.name()).isLessThan(1e-4);
            }
        }
    }

    @Test
    void aProportionalKeyLockGivesTheSupercategorysKeyAtTheConceptInputWhateverTheGate() throws IOException {
        Concept trained = train("tom", quick(5, 3).toBuilder().keyLockForm(KeyLockForm.PROPORTIONAL).build());
        assertThat(trained.keyLockForm()).isEqualTo(KeyLockForm.PROPORTIONAL);
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray iStar = m.create(trained.conceptInput(), new Shape(1, trained.encodingWidth()));
            NDArray iSuper = m.create(trained.supercategoryInput(), new Shape(1, trained.encodingWidth()));
            for (Gate gate : List.of(Gate.TRAINING, Gate.INFERENCE, new Gate(50, 0.15))) {
                Map<String, TextConditioning.LayerEdit> edits = ConceptEdits.build(
                        model.unet().crossAttentionLayers(), inverseCovariance(),
                        List.of(new ConceptGates(trained, gate, gate)), MultiConceptMode.EXACT, m);
                for (CrossAttentionLayer layer : model.unet().crossAttentionLayers()) {
                    float[] key = edits.get(layer.name()).key().forward(iStar).toFloatArray();
                    float[] locked = ai.djl.nn.core.Linear.linear(iSuper, layer.keyWeight()).singletonOrThrow()
                            .toFloatArray();
                    assertThat(relativeError(key, locked)).as("%s, %s", layer.name(), gate).isLessThan(1e-4);
                }
            }
        }
    }

    @Test
    void aConceptReloadedFromDiskGivesTheSameImageForTheSameSeed(@TempDir Path dir) throws IOException {
        Concept trained = train("tom", quick(3, 4));
        Path file = dir.resolve("tom.perfusion");
        ConceptFile.write(trained, file, ConceptFile.Precision.FP32);
        Concept reloaded = Perfusion.loadConcept(file);
        assertThat(reloaded).isEqualTo(trained);
        assertThat(image(reloaded, 11).rgb()).isEqualTo(image(trained, 11).rgb());
        Perfusion.saveConcept(trained, dir.resolve("half.perfusion"));
        assertThat(maxChannelDifference(image(Perfusion.loadConcept(dir.resolve("half.perfusion")), 11),
                image(trained, 11))).as("half precision").isLessThanOrEqualTo(2);
    }

    private static GeneratedImage image(Concept concept, long seed) {
        return perfusion.generator().prompt("a photo of <" + concept.name() + "> swimming").concepts(concept)
                .acceptBaselineConcepts(concept.method() != ConceptMethod.PERFUSION)
                .fidelity(FidelityControl.of(concept, 0.6)).steps(4).size(32, 32).seed(seed).generate().images()
                .get(0);
    }

    @Test
    void concurrentGenerationsEqualSequentialOnes() throws Exception {
        Concept tom = train("tom", quick(2, 1));
        Concept jerry = train("jerry", quick(2, 2).toBuilder().editScope(EditScope.CONCEPT_TOKEN).build());
        List<java.util.function.Supplier<GeneratedImage>> requests = List.of(
                () -> image(tom, 1),
                () -> image(jerry, 2),
                () -> perfusion.generator().prompt("<tom> next to <jerry>").concepts(tom, jerry).steps(4)
                        .size(32, 32).seed(3).generate().images().get(0),
                () -> perfusion.generator().prompt("a plain prompt").steps(4).size(32, 32).seed(4).generate()
                        .images().get(0));
        List<int[]> sequential = requests.stream().map(r -> r.get().rgb()).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<GeneratedImage>> futures = new ArrayList<>();
                requests.forEach(r -> futures.add(pool.submit(r::get)));
                for (int i = 0; i < futures.size(); i++) {
                    assertThat(futures.get(i).get().rgb()).as("request %d", i).isEqualTo(sequential.get(i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theBaselinesTrainWhatTheirMethodSays() throws IOException {
        Concept inversion = train("ti", TrainingOptions.builder().steps(2).batchSize(2).gradientAccumulation(1)
                .method(ConceptMethod.TEXTUAL_INVERSION).build());
        Concept keys = train("ck", TrainingOptions.builder().steps(2).batchSize(2).gradientAccumulation(1)
                .method(ConceptMethod.TRAINED_KEYS).build());
        assertThat(inversion.method()).isEqualTo(ConceptMethod.TEXTUAL_INVERSION);
        assertThat(inversion.layers()).isEmpty();
        assertThat(keys.keyTargets().keySet()).isEqualTo(keys.layers());
        assertThat(image(inversion, 1).width()).isEqualTo(32);
        assertThat(image(keys, 1).width()).isEqualTo(32);
    }

    private static double relativeError(float[] actual, float[] expected) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (actual[i] - expected[i]) * (double) (actual[i] - expected[i]);
            norm += expected[i] * (double) expected[i];
        }
        return Math.sqrt(diff / norm);
    }

    private static int maxChannelDifference(GeneratedImage a, GeneratedImage b) {
        int[] x = a.rgb();
        int[] y = b.rgb();
        int worst = 0;
        for (int i = 0; i < x.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                worst = Math.max(worst, Math.abs(((x[i] >> shift) & 0xff) - ((y[i] >> shift) & 0xff)));
            }
        }
        return worst;
    }
}
