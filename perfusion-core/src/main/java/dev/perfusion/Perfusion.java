package dev.perfusion;

import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.Generator;
import dev.perfusion.api.Judge;
import dev.perfusion.api.KeyLockTrainer;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.core.backend.BackendDiscovery;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.fidelity.FidelityResolver;
import dev.perfusion.core.prompt.PromptParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The SDK's entry point: a base model opened on a backend, to train concepts and generate with them.
 *
 * <pre>{@code
 * try (Perfusion p = Perfusion.open(BaseModel.embedded())) {
 *     Concept tom = p.trainer().concept("tom").supercategory("cat").images(dir).train();
 *     p.generator().prompt("<tom> sleeping on a sofa").concepts(tom)
 *             .fidelity(FidelityControl.of(tom, 0.7)).seed(1).generate();
 * }
 * }</pre>
 *
 * Closing it frees the backend's native memory. Instances are safe to share between threads only where the backend
 * says so.
 */
public final class Perfusion implements AutoCloseable {

    private final BaseModel model;
    private final Backend backend;
    private final FidelityResolver fidelity;

    private Perfusion(BaseModel model, Backend backend, FidelityResolver fidelity) {
        this.model = model;
        this.backend = backend;
        this.fidelity = fidelity;
    }

    /** Opens a base model on the best available backend. */
    public static Perfusion open(BaseModel model) throws IOException {
        return builder().open(model);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads a concept file ({@code .perfusion}). */
    public static Concept loadConcept(Path file) throws IOException {
        return ConceptFile.read(file);
    }

    /** Writes a concept file atomically, in half precision. */
    public static void saveConcept(Concept concept, Path file) throws IOException {
        ConceptFile.write(concept, file);
    }

    /** The model opened. */
    public BaseModel model() {
        return model;
    }

    /** The backend's name, such as "djl". */
    public String backendName() {
        return backend.name();
    }

    /** The device the backend runs on. */
    public String device() {
        return backend.device();
    }

    /**
     * The judge that scores images of this model (image and text similarity), where the model ships one: the embedded
     * model does. It belongs to this instance and closes with it.
     */
    public Optional<Judge> judge() {
        return backend.judge();
    }

    /** A trainer for new concepts on this model. */
    public KeyLockTrainer trainer() {
        return new KeyLockTrainer(backend.training());
    }

    /**
     * A new generation. Prompts and fidelity controls are checked against the request's concepts before the
     * backend does any work.
     */
    public Generator generator() {
        return new Generator((request, listener) -> {
            check(request);
            return backend.generation().generate(request, listener);
        });
    }

    private void check(GenerationRequest request) {
        PromptParser.parse(request.prompt(), request.concepts());
        PromptParser.parse(request.negativePrompt(), request.concepts());
        try {
            fidelity.resolve(request.concepts(), request.fidelity());
        } catch (IllegalArgumentException e) {
            throw new PerfusionException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        backend.close();
    }

    /** Chooses the backend, device and fidelity curve before opening a model. */
    public static final class Builder {
        private String backend;
        private BackendOptions.DevicePreference device = BackendOptions.DevicePreference.AUTO;
        private BackendDiscovery discovery;
        private FidelityResolver fidelity = new FidelityResolver();

        private Builder() {
        }

        /** Uses the backend of this name; by default the system property or the priorities decide. */
        public Builder backend(String name) {
            this.backend = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder device(BackendOptions.DevicePreference device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** Chooses among these providers instead of the class path's. */
        public Builder discovery(BackendDiscovery discovery) {
            this.discovery = Objects.requireNonNull(discovery, "discovery");
            return this;
        }

        public Builder fidelity(FidelityResolver resolver) {
            this.fidelity = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Opens the model.
         *
         * @throws IOException when the model's files cannot be read or are not a valid model
         */
        public Perfusion open(BaseModel model) throws IOException {
            Objects.requireNonNull(model, "model");
            BackendDiscovery found = discovery != null ? discovery : BackendDiscovery.fromClassPath();
            BackendProvider provider = found.select(Optional.ofNullable(backend));
            return new Perfusion(model, provider.open(model, new BackendOptions(device)), fidelity);
        }
    }
}
