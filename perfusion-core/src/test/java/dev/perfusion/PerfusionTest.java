package dev.perfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.FidelityCurve;
import dev.perfusion.api.Gate;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.Capability;
import dev.perfusion.api.spi.GenerationJob.PromptPart;
import dev.perfusion.api.spi.GenerationJob;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.prompt.UnknownConceptException;
import dev.perfusion.core.testing.SampleConcepts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfusionTest {

    static final String FINGERPRINT = "sha256:0123abcd";

    /** Records what reaches the backend; images are a flat colour derived from the seed. */
    static final class RecordingBackend implements Backend {
        final List<GenerationJob> served = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile CountDownLatch started = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);
        volatile boolean closed;
        volatile boolean closedDuringWork;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public String fingerprint() {
            return FINGERPRINT;
        }

        @Override
        public TrainingService training() {
            return (request, listener, cancelled) -> {
                throw new UnsupportedOperationException("training is not part of this test");
            };
        }

        @Override
        public GenerationService generation() {
            return (job, listener) -> {
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                closedDuringWork |= closed;
                served.add(job);
                int[] pixels = new int[64];
                java.util.Arrays.fill(pixels, (int) job.request().seed());
                return new GenerationResult(job.request(),
                        List.of(new GeneratedImage(8, 8, pixels, job.request().seed())), Duration.ZERO);
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final RecordingBackend backend = new RecordingBackend();

    private BackendProvider provider(Set<Capability> capabilities) {
        return new BackendProvider() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public int priority() {
                return 1;
            }

            @Override
            public Set<Capability> capabilities() {
                return capabilities;
            }

            @Override
            public Availability availability() {
                return Availability.usable("cpu");
            }

            @Override
            public Backend open(BaseModel model, BackendOptions options) {
                return backend;
            }
        };
    }

    private Perfusion open() throws Exception {
        return Perfusion.builder().providers(List.of(provider(EnumSet.allOf(Capability.class))))
                .open(BaseModel.embedded());
    }

    @Test
    void theBackendReceivesPromptsSplitIntoTextAndConceptTokensWithResolvedGates() throws Exception {
        Concept tom = SampleConcepts.sd15("tom", 1);
        Concept chair = SampleConcepts.sd15("chair", 2);
        try (Perfusion p = open()) {
            GenerationResult r = p.generator().prompt("<tom> sleeping on <chair>").negativePrompt("blurry <chair>")
                    .concepts(tom, chair).fidelity(FidelityControl.of(tom, 0.5)).seed(42).generate();

            assertThat(p.backendName()).isEqualTo("recording");
            assertThat(r.images()).singleElement().extracting(GeneratedImage::seed).isEqualTo(42L);
            assertThat(backend.served).singleElement().satisfies(job -> {
                assertThat(job.prompt()).containsExactly(new PromptPart.ConceptToken(0),
                        new PromptPart.Text(" sleeping on "), new PromptPart.ConceptToken(1));
                assertThat(job.negative()).containsExactly(new PromptPart.Text("blurry "),
                        new PromptPart.ConceptToken(1));
                assertThat(job.concepts()).extracting(c -> c.concept().name()).containsExactly("tom", "chair");
                assertThat(job.concepts().get(0).key()).isEqualTo(EmbeddedModel.fidelityCurve().gate(0.5));
                assertThat(job.concepts().get(1).value()).isEqualTo(chair.valueGate());
                assertThat(job.usesConcepts()).isTrue();
            });
        }
        assertThat(backend.closed).isTrue();
    }

    @Test
    void fidelityLevelsFollowTheCurveMeasuredForTheModelOpenedUnlessOneIsSet() throws Exception {
        BaseModel folder = BaseModel.diffusers(Path.of("sd15"));
        try (Perfusion embedded = open();
                Perfusion diffusers = Perfusion.builder().providers(List.of(provider(EnumSet.allOf(Capability.class))))
                        .open(folder)) {
            assertThat(embedded.fidelityCurve()).isEqualTo(EmbeddedModel.fidelityCurve());
            assertThat(diffusers.fidelityCurve()).isEqualTo(FidelityCurve.DEFAULT);
        }
        assertThat(EmbeddedModel.fidelityCurve()).isNotEqualTo(FidelityCurve.DEFAULT);
        FidelityCurve custom = new FidelityCurve(0.9, 0.3, 0.05);
        try (Perfusion p = Perfusion.builder().providers(List.of(provider(EnumSet.allOf(Capability.class))))
                .fidelityCurve(custom).open(BaseModel.embedded())) {
            assertThat(p.fidelityCurve()).isEqualTo(custom);
        }
    }

    @Test
    void aCustomFidelityCurveReachesTheBackend() throws Exception {
        Concept tom = SampleConcepts.sd15("tom", 1);
        FidelityCurve curve = new FidelityCurve(0.9, 0.3, 0.05);
        try (Perfusion p = Perfusion.builder().providers(List.of(provider(EnumSet.allOf(Capability.class))))
                .fidelityCurve(curve).open(BaseModel.embedded())) {
            p.generator().prompt("<tom>").concepts(tom).fidelity(FidelityControl.of(tom, 1.0)).generate();
            p.generator().prompt("<tom>").concepts(tom)
                    .fidelity(FidelityControl.explicit("tom", Gate.step(0.5), new Gate(0.6, 0.2))).generate();
        }
        assertThat(backend.served.get(0).concepts().get(0).key()).isEqualTo(new Gate(0.3, 0.05));
        assertThat(backend.served.get(1).concepts().get(0).key()).isEqualTo(Gate.step(0.5));
        assertThat(backend.served.get(1).concepts().get(0).value()).isEqualTo(new Gate(0.6, 0.2));
    }

    @Test
    void badPromptsAndFidelityAreRejectedBeforeTheBackendWorks() throws Exception {
        Concept tom = SampleConcepts.sd15("tom", 1);
        try (Perfusion p = open()) {
            assertThatThrownBy(() -> p.generator().prompt("<bob> on a sofa").concepts(tom).generate())
                    .isInstanceOf(UnknownConceptException.class);
            assertThatThrownBy(() -> p.generator().prompt("<tom>").negativePrompt("<jerry>").concepts(tom)
                    .generate()).hasMessageContaining("<jerry>");
            assertThatThrownBy(() -> p.generator().prompt("<tom>").concepts(tom)
                    .fidelity(FidelityControl.of("jerry", 0.5)).generate())
                    .hasMessageContaining("fidelity is set for <jerry>");
        }
        assertThat(backend.served).isEmpty();
    }

    @Test
    void aConceptOfAnotherBaseModelIsRefusedUnlessTheCallerOptsIn() throws Exception {
        Concept foreign = SampleConcepts.sd15("tom", 1).toBuilder().baseModel("sha256:ffff").build();
        try (Perfusion p = open()) {
            assertThatThrownBy(() -> p.generator().prompt("<tom>").concepts(foreign).generate())
                    .isInstanceOf(PerfusionException.class)
                    .hasMessageContaining("trained on base model sha256:ffff")
                    .hasMessageContaining("fingerprint " + FINGERPRINT)
                    .hasMessageContaining("acceptConceptsOfOtherModels(true)");
            assertThat(backend.served).isEmpty();

            p.generator().prompt("<tom>").concepts(foreign).acceptConceptsOfOtherModels(true).generate();
            assertThat(backend.served).hasSize(1);
        }
    }

    @Test
    void closeWaitsForAGenerationInFlightAndLaterCallsFailCleanly() throws Exception {
        backend.started = new CountDownLatch(1);
        backend.release = new CountDownLatch(1);
        Perfusion p = open();
        CompletableFuture<GenerationResult> running = CompletableFuture.supplyAsync(
                () -> p.generator().prompt("a cat").seed(3).generate());
        assertThat(backend.started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(p::close);
        Thread.sleep(100);
        assertThat(closing).as("close waits for the generation").isNotDone();
        backend.release.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS).images()).hasSize(1);
        closing.get(10, TimeUnit.SECONDS);
        assertThat(backend.closedDuringWork).isFalse();
        assertThat(backend.closed).isTrue();

        assertThatThrownBy(() -> p.generator().prompt("a cat").generate())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(p::fingerprint).isInstanceOf(IllegalStateException.class);
        p.close();
    }

    @Test
    void aBackendWithoutACapabilityIsRefusedByName() throws Exception {
        try (Perfusion p = Perfusion.builder().providers(List.of(provider(EnumSet.of(Capability.GENERATION,
                Capability.EMBEDDED_MODEL)))).open(BaseModel.embedded())) {
            assertThatThrownBy(p::trainer).isInstanceOf(PerfusionException.class)
                    .hasMessageContaining("cannot train concepts").hasMessageContaining("TRAINING");
            Concept tom = SampleConcepts.sd15("tom", 1);
            assertThatThrownBy(() -> p.generator().prompt("<tom>").concepts(tom).generate())
                    .hasMessageContaining("cannot generate with concepts");
            p.generator().prompt("a plain prompt").generate();
        }
        assertThatThrownBy(() -> Perfusion.builder().providers(List.of(provider(EnumSet.of(Capability.GENERATION))))
                .open(BaseModel.embedded())).hasMessageContaining("EMBEDDED_MODEL");
    }

    @Test
    void conceptsRoundTripThroughTheStaticFileCalls(@TempDir Path dir) throws Exception {
        Concept tom = SampleConcepts.sd15("tom", 1);
        Path file = dir.resolve("tom.perfusion");
        Perfusion.saveConcept(tom, file);
        assertThat(Perfusion.loadConcept(file)).isEqualTo(tom);
    }

    @Test
    void aBaselineConceptIsRefusedInGenerationUnlessTheCallerOptsIn() throws Exception {
        Concept teapot = Perfusion.loadConcept(pythonTeapot()).toBuilder().baseModel(FINGERPRINT).build();
        try (Perfusion p = open()) {
            assertThatThrownBy(() -> p.generator().prompt("<teapot> on a table").concepts(teapot).generate())
                    .isInstanceOf(PerfusionException.class)
                    .hasMessageContaining("concept <teapot> is a trained-keys baseline")
                    .hasMessageContaining("acceptBaselineConcepts(true)");
            assertThat(backend.served).isEmpty();
            p.generator().prompt("<teapot> on a table").concepts(teapot).acceptBaselineConcepts(true).generate();
            assertThat(backend.served).hasSize(1);
        }
    }

    @Test
    void loadingForAMethodRefusesAConceptOfAnotherInBothDirections(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Perfusion.loadConcept(pythonTeapot(), ConceptMethod.PERFUSION))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("teapot.perfusion")
                .hasMessageContaining("holds a trained-keys concept <teapot>, where a perfusion concept is required");
        assertThat(Perfusion.loadConcept(pythonTeapot(), ConceptMethod.TRAINED_KEYS).name()).isEqualTo("teapot");

        Path tom = dir.resolve("tom.perfusion");
        Perfusion.saveConcept(SampleConcepts.sd15("tom", 1), tom);
        assertThatThrownBy(() -> Perfusion.loadConcept(tom, ConceptMethod.TEXTUAL_INVERSION))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("holds a perfusion concept <tom>, where a textual-inversion concept is required");
        assertThat(Perfusion.loadConcept(tom, ConceptMethod.PERFUSION).name()).isEqualTo("tom");
    }

    private static Path pythonTeapot() throws Exception {
        return Path.of(PerfusionTest.class.getResource("/fixtures/python/teapot.perfusion").toURI());
    }
}
