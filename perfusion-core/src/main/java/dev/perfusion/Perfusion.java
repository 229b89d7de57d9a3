package dev.perfusion;

import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.ConceptMethod;
import dev.perfusion.api.FidelityCurve;
import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.Generator;
import dev.perfusion.api.Judge;
import dev.perfusion.api.KeyLockTrainer;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.TrainingOptions;
import dev.perfusion.api.spi.Backend;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.Capability;
import dev.perfusion.api.spi.GenerationJob;
import dev.perfusion.core.backend.BackendDiscovery;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.fidelity.ConceptGates;
import dev.perfusion.core.fidelity.FidelityResolver;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.prompt.ConceptPrompt;
import dev.perfusion.core.prompt.PromptParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

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
 * <p>Safe to share between threads: generations may run concurrently. Prompts, concepts and fidelity are checked and
 * resolved here, before any backend work. {@link #close()} waits for generations and trainings in flight, then frees
 * the backend's native memory; later calls fail with {@link IllegalStateException}.
 */
public final class Perfusion implements AutoCloseable {

    private final BaseModel model;
    private final Backend backend;
    private final Set<Capability> capabilities;
    private final FidelityResolver fidelity;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private Perfusion(BaseModel model, Backend backend, Set<Capability> capabilities, FidelityResolver fidelity) {
        this.model = model;
        this.backend = backend;
        this.capabilities = capabilities;
        this.fidelity = fidelity;
    }

    /** Opens a base model on the best available backend. */
    public static Perfusion open(BaseModel model) throws IOException {
        return builder().open(model);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads a concept file ({@code .perfusion}) of any method. */
    public static Concept loadConcept(Path file) throws IOException {
        return ConceptFile.read(file);
    }

    /**
     * Reads a concept file that must hold a concept trained by {@code method}: a baseline where a Perfusion concept
     * is required, or the other way round, is refused with both methods named.
     *
     * @throws FileFormatException when the file holds a concept of another method
     */
    public static Concept loadConcept(Path file, ConceptMethod method) throws IOException {
        Concept concept = ConceptFile.read(file);
        if (concept.method() != method) {
            throw new FileFormatException(file, "holds a " + concept.method().id() + " concept <" + concept.name()
                    + ">, where a " + method.id() + " concept is required; read it with loadConcept(file) to "
                    + "accept any method");
        }
        return concept;
    }

    /** Writes a concept file atomically, in half precision: an existing file is replaced only by a complete one. */
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

    /** How fidelity levels map to gates here: the builder's curve, or the one measured for this model. */
    public FidelityCurve fidelityCurve() {
        return fidelity.curve();
    }

    /** The fingerprint of the open model, which concepts trained on it record. */
    public String fingerprint() {
        return whileOpen(backend::fingerprint);
    }

    /**
     * The judge that scores images of this model (image and text similarity), where the model ships one: the embedded
     * model does. It belongs to this instance and closes with it.
     */
    public Optional<Judge> judge() {
        return whileOpen(backend::judge);
    }

    /** A trainer for new concepts on this model; its jobs start from {@link #recommendedTrainingOptions()}. */
    public KeyLockTrainer trainer() {
        require(Capability.TRAINING, "train concepts");
        return new PerfusionTrainer((request, listener, cancelled) -> whileOpen(
                () -> backend.training().train(request, listener, cancelled)), recommendedTrainingOptions());
    }

    /**
     * The training options this model recommends: Perfusion's recipe scaled to the model (for SD 1.x, the paper's
     * 400 steps of 16 images; the embedded model's own is smaller). Change some with {@code toBuilder()}.
     */
    public TrainingOptions recommendedTrainingOptions() {
        require(Capability.TRAINING, "train concepts");
        return whileOpen(() -> backend.training().recommendedOptions());
    }

    /**
     * A new generation. Prompts, concepts and fidelity controls are checked against each other and against this model
     * before the backend does any work.
     */
    public Generator generator() {
        return new PerfusionGenerator(g -> {
            GenerationRequest request = g.request();
            GenerationJob job = resolve(request);
            if (job.usesConcepts()) {
                require(Capability.CONCEPTS, "generate with concepts");
            }
            return whileOpen(() -> backend.generation().generate(job, g.progress()));
        });
    }

    /** The request as the backend receives it: prompts split, gates resolved, concepts checked. */
    GenerationJob resolve(GenerationRequest request) {
        ConceptPrompt prompt = PromptParser.parse(request.prompt(), request.concepts());
        ConceptPrompt negative = PromptParser.parse(request.negativePrompt(), request.concepts());
        List<ConceptGates> gates;
        try {
            gates = fidelity.resolve(request.concepts(), request.fidelity());
        } catch (IllegalArgumentException e) {
            throw new PerfusionException(e.getMessage(), e);
        }
        if (!request.acceptBaselines()) {
            for (Concept c : request.concepts()) {
                if (c.method() != ConceptMethod.PERFUSION) {
                    throw new PerfusionException("concept <" + c.name() + "> is a " + c.method().id()
                            + " baseline, trained for comparison, not a Perfusion concept; opt in with "
                            + "acceptBaselineConcepts(true)");
                }
            }
        }
        if (!request.concepts().isEmpty() && !request.acceptOtherModels()) {
            String own = fingerprint();
            for (Concept c : request.concepts()) {
                if (!c.baseModel().equals(own)) {
                    throw new PerfusionException("concept <" + c.name() + "> was trained on base model "
                            + c.baseModel() + ", but " + model + " has fingerprint " + own + "; use it with its own "
                            + "model, or opt in with acceptConceptsOfOtherModels(true)");
                }
            }
        }
        List<GenerationJob.ConceptGates> resolved = new ArrayList<>();
        gates.forEach(g -> resolved.add(new GenerationJob.ConceptGates(g.concept(), g.key(), g.value())));
        return new GenerationJob(request, parts(prompt, request.concepts()), parts(negative, request.concepts()),
                resolved);
    }

    private static List<GenerationJob.PromptPart> parts(ConceptPrompt prompt, List<Concept> concepts) {
        List<GenerationJob.PromptPart> parts = new ArrayList<>();
        for (ConceptPrompt.Segment s : prompt.segments()) {
            if (s instanceof ConceptPrompt.Text t) {
                parts.add(new GenerationJob.PromptPart.Text(t.text()));
            } else if (s instanceof ConceptPrompt.Reference r) {
                parts.add(new GenerationJob.PromptPart.ConceptToken(concepts.indexOf(r.concept())));
            }
        }
        return parts;
    }

    private void require(Capability capability, String action) {
        if (!capabilities.contains(capability)) {
            throw new PerfusionException("backend '" + backend.name() + "' cannot " + action + ": it declares "
                    + capabilities + ", not " + capability);
        }
    }

    /** Runs backend work unless closed; {@link #close()} waits for it. */
    private <T> T whileOpen(Supplier<T> work) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("this Perfusion is closed");
            }
            return work.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Waits for work in flight, then frees the backend. Closing twice does nothing. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                backend.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** The fidelity curve measured for a model: the embedded model's own, else the default. */
    static FidelityCurve recommendedCurve(BaseModel model) {
        return model.kind() == BaseModel.Kind.EMBEDDED ? EmbeddedModel.fidelityCurve() : FidelityCurve.DEFAULT;
    }

    /** Chooses the backend, device and fidelity curve before opening a model; each setter states its default. */
    public static final class Builder {
        private String backend;
        private BackendOptions.DevicePreference device = BackendOptions.DevicePreference.AUTO;
        private List<BackendProvider> providers;
        private FidelityCurve curve;

        private Builder() {
        }

        /**
         * Uses the backend of this name; default: the one named by the system property {@code perfusion.backend},
         * else the usable one of highest priority.
         */
        public Builder backend(String name) {
            this.backend = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Where to run; default {@link BackendOptions.DevicePreference#AUTO}, a GPU when there is one. */
        public Builder device(BackendOptions.DevicePreference device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** Chooses among these providers; default: those registered on the class path. */
        public Builder providers(List<BackendProvider> providers) {
            this.providers = List.copyOf(providers);
            return this;
        }

        /**
         * How a fidelity level maps to gates; default: the curve measured for the model opened,
         * {@link EmbeddedModel#fidelityCurve()} for the embedded model and {@link FidelityCurve#DEFAULT} for others.
         */
        public Builder fidelityCurve(FidelityCurve curve) {
            this.curve = Objects.requireNonNull(curve, "curve");
            return this;
        }

        /**
         * Opens the model.
         *
         * @throws IOException when the model's files cannot be read or are not a valid model
         */
        public Perfusion open(BaseModel model) throws IOException {
            Objects.requireNonNull(model, "model");
            BackendDiscovery found = providers != null ? BackendDiscovery.of(providers)
                    : BackendDiscovery.fromClassPath();
            Set<Capability> needed = EnumSet.of(Capability.GENERATION);
            if (model.kind() == BaseModel.Kind.EMBEDDED) {
                needed.add(Capability.EMBEDDED_MODEL);
            }
            BackendProvider provider = found.select(Optional.ofNullable(backend), needed);
            Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
            capabilities.addAll(provider.capabilities());
            return new Perfusion(model, provider.open(model, new BackendOptions(device)), capabilities,
                    new FidelityResolver(curve != null ? curve : recommendedCurve(model)));
        }
    }
}
