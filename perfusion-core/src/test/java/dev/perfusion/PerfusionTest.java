package dev.perfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.api.spi.TrainingService;
import dev.perfusion.core.backend.BackendDiscovery;
import dev.perfusion.core.prompt.UnknownConceptException;
import dev.perfusion.core.testing.SampleConcepts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerfusionTest {

    /** Records what reaches the backend; images are a flat colour derived from the seed. */
    static final class RecordingBackend implements Backend {
        final List<GenerationRequest> served = new ArrayList<>();
        boolean closed;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public TrainingService training() {
            return (request, listener) -> {
                throw new UnsupportedOperationException("training is not part of this test");
            };
        }

        @Override
        public GenerationService generation() {
            return (request, listener) -> {
                served.add(request);
                int[] pixels = new int[64];
                java.util.Arrays.fill(pixels, (int) request.seed());
                return new GenerationResult(request, List.of(new GeneratedImage(8, 8, pixels, request.seed())),
                        Duration.ZERO);
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final RecordingBackend backend = new RecordingBackend();
    private final BackendProvider provider = new BackendProvider() {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public int priority() {
            return 1;
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

    @Test
    void requestsReachTheBackendAndClosingFreesIt() throws Exception {
        Concept tom = SampleConcepts.sd15("tom", 1);
        try (Perfusion p = Perfusion.builder().discovery(BackendDiscovery.of(List.of(provider)))
                .open(BaseModel.embedded())) {
            GenerationResult r = p.generator().prompt("<tom> sleeping on a sofa").concepts(tom)
                    .fidelity(FidelityControl.of(tom, 0.7)).seed(42).generate();

            assertThat(p.backendName()).isEqualTo("recording");
            assertThat(r.images()).singleElement().extracting(GeneratedImage::seed).isEqualTo(42L);
            assertThat(backend.served).singleElement().satisfies(q -> {
                assertThat(q.prompt()).isEqualTo("<tom> sleeping on a sofa");
                assertThat(q.fidelity()).containsExactly(FidelityControl.of(tom, 0.7));
            });
        }
        assertThat(backend.closed).isTrue();
    }

    @Test
    void badPromptsAndFidelityAreRejectedBeforeTheBackendWorks() throws Exception {
        Concept tom = SampleConcepts.sd15("tom", 1);
        try (Perfusion p = Perfusion.builder().discovery(BackendDiscovery.of(List.of(provider)))
                .open(BaseModel.embedded())) {
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
}
