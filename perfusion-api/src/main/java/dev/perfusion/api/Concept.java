package dev.perfusion.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A trained Perfusion concept: everything needed to put one user's subject into images of the base model it was
 * trained on, in about 100 KB.
 *
 * <p>It holds the concept token's input embedding, the text-encoder output of the concept token ({@code i*}) and
 * of its supercategory word ({@code i_s}), one value target ({@code o*_v}) per cross-attention layer, optionally
 * the key targets (they can be recomputed from {@code i_s}), and the gate defaults. Instances are immutable; the
 * accessors return copies.
 */
public final class Concept {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    private final String name;
    private final String supercategory;
    private final String baseModel;
    private final float[] tokenEmbedding;
    private final float[] conceptInput;
    private final float[] supercategoryInput;
    private final Map<String, float[]> valueTargets;
    private final Map<String, float[]> keyTargets;
    private final Gate keyGate;
    private final Gate valueGate;
    private final Map<String, String> training;
    private final ConceptMethod method;
    private final EditScope editScope;
    private final KeyLockForm keyLockForm;

    private Concept(Builder b) {
        this.name = requireValidName(b.name);
        if (b.supercategory == null || b.supercategory.isBlank()) {
            throw new IllegalArgumentException("concept <" + name + "> needs a supercategory word, such as \"cat\"");
        }
        this.supercategory = b.supercategory.strip();
        this.baseModel = Objects.requireNonNull(b.baseModel, "baseModel fingerprint");
        this.tokenEmbedding = finiteCopy("token embedding", b.tokenEmbedding);
        this.conceptInput = finiteCopy("concept input i*", b.conceptInput);
        this.supercategoryInput = finiteCopy("supercategory input i_s", b.supercategoryInput);
        if (conceptInput.length != supercategoryInput.length) {
            throw new IllegalArgumentException("concept <" + name + ">: i* has " + conceptInput.length
                    + " values but i_s has " + supercategoryInput.length);
        }
        this.method = Objects.requireNonNull(b.method, "method");
        this.editScope = Objects.requireNonNull(b.editScope, "editScope");
        this.keyLockForm = Objects.requireNonNull(b.keyLockForm, "keyLockForm");
        if (b.valueTargets.isEmpty() != (method == ConceptMethod.TEXTUAL_INVERSION)) {
            throw new IllegalArgumentException("concept <" + name + "> " + (b.valueTargets.isEmpty()
                    ? "has no value targets" : "is a textual-inversion concept, which edits no layer, but has value "
                    + "targets"));
        }
        if (method == ConceptMethod.TRAINED_KEYS && !b.keyTargets.keySet().equals(b.valueTargets.keySet())) {
            throw new IllegalArgumentException("concept <" + name + "> trains its keys, so it needs a key target "
                    + "for every layer it has a value target for");
        }
        this.valueTargets = copyTargets("value target", b.valueTargets);
        for (String layer : b.keyTargets.keySet()) {
            if (!valueTargets.containsKey(layer)) {
                throw new IllegalArgumentException("concept <" + name + ">: key target for layer '" + layer
                        + "' has no value target beside it");
            }
        }
        this.keyTargets = copyTargets("key target", b.keyTargets);
        this.keyGate = Objects.requireNonNull(b.keyGate, "keyGate");
        this.valueGate = Objects.requireNonNull(b.valueGate, "valueGate");
        this.training = Collections.unmodifiableMap(new LinkedHashMap<>(b.training));
    }

    /** A builder with the paper's inference gates as defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this concept's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .name(name)
                .supercategory(supercategory)
                .baseModel(baseModel)
                .tokenEmbedding(tokenEmbedding)
                .conceptInput(conceptInput)
                .supercategoryInput(supercategoryInput)
                .keyGate(keyGate)
                .valueGate(valueGate)
                .training(training)
                .method(method)
                .editScope(editScope)
                .keyLockForm(keyLockForm);
        valueTargets.forEach(b::valueTarget);
        keyTargets.forEach(b::keyTarget);
        return b;
    }

    /**
     * Checks a concept name: 1 to 64 characters of letters, digits, '_', '.' or '-', not starting with '.' or '-'.
     *
     * @return the name, for chaining
     */
    public static String requireValidName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid concept name '" + name
                    + "': use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter, digit or '_'");
        }
        return name;
    }

    /** Whether {@code name} is a valid concept name (see {@link #requireValidName}). */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The name used to refer to the concept in prompts, as {@code <name>}. */
    public String name() {
        return name;
    }

    /** The everyday word for the concept's kind ("cat"), whose key the concept is locked to. */
    public String supercategory() {
        return supercategory;
    }

    /** The fingerprint of the base model the concept was trained on. */
    public String baseModel() {
        return baseModel;
    }

    /** The concept token's input embedding row. */
    public float[] tokenEmbedding() {
        return tokenEmbedding.clone();
    }

    /** {@code i*}: the text encoder's output at the concept token, averaged over training prompts. */
    public float[] conceptInput() {
        return conceptInput.clone();
    }

    /** {@code i_s}: the text encoder's output at the supercategory word in the same prompts. */
    public float[] supercategoryInput() {
        return supercategoryInput.clone();
    }

    /** The width of the text encodings this concept was made for. */
    public int encodingWidth() {
        return conceptInput.length;
    }

    /** The cross-attention layers this concept edits, in model order. */
    public java.util.Set<String> layers() {
        return valueTargets.keySet();
    }

    /** {@code o*_v} of one layer, or an exception naming the layers there are. */
    public float[] valueTarget(String layer) {
        float[] v = valueTargets.get(layer);
        if (v == null) {
            throw new IllegalArgumentException("concept <" + name + "> has no value target for layer '" + layer
                    + "'; it has " + valueTargets.keySet());
        }
        return v.clone();
    }

    /** The stored key targets, possibly none: they can be recomputed as {@code W_k i_s}. */
    public Map<String, float[]> keyTargets() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        keyTargets.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** All value targets, by layer, in model order. */
    public Map<String, float[]> valueTargets() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        valueTargets.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** The default gate of the key projections when no {@link FidelityControl} is given. */
    public Gate keyGate() {
        return keyGate;
    }

    /** The default gate of the value projections when no {@link FidelityControl} is given. */
    public Gate valueGate() {
        return valueGate;
    }

    /** How the concept was trained: Perfusion, or a baseline. */
    public ConceptMethod method() {
        return method;
    }

    /** Which tokens the concept's edit reaches: the scope it was trained with, and generates with. */
    public EditScope editScope() {
        return editScope;
    }

    /**
     * How the concept's key edit puts the supercategory back when it generates: the form it was trained with unless
     * {@link #toBuilder()} set another ({@link #training()} keeps the training one).
     */
    public KeyLockForm keyLockForm() {
        return keyLockForm;
    }

    /** The settings the concept was trained with, for the record. */
    public Map<String, String> training() {
        return training;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Concept c)) {
            return false;
        }
        return name.equals(c.name) && supercategory.equals(c.supercategory) && baseModel.equals(c.baseModel)
                && Arrays.equals(tokenEmbedding, c.tokenEmbedding) && Arrays.equals(conceptInput, c.conceptInput)
                && Arrays.equals(supercategoryInput, c.supercategoryInput)
                && targetsEqual(valueTargets, c.valueTargets) && targetsEqual(keyTargets, c.keyTargets)
                && keyGate.equals(c.keyGate) && valueGate.equals(c.valueGate) && training.equals(c.training)
                && method == c.method && editScope == c.editScope && keyLockForm == c.keyLockForm;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, supercategory, baseModel, Arrays.hashCode(conceptInput));
    }

    @Override
    public String toString() {
        return "Concept<" + name + "> (" + supercategory + ", " + method.id() + ", " + valueTargets.size()
                + " layers, base model " + baseModel + ")";
    }

    private static boolean targetsEqual(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private float[] finiteCopy(String what, float[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("concept <" + name + "> is missing its " + what);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(
                        "concept <" + name + ">: " + what + " has a non-finite value " + values[i] + " at " + i);
            }
        }
        return values.clone();
    }

    private Map<String, float[]> copyTargets(String what, Map<String, float[]> targets) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        targets.forEach((layer, v) -> copy.put(layer, finiteCopy(what + " of layer '" + layer + "'", v)));
        return Collections.unmodifiableMap(copy);
    }

    /** Assembles a {@link Concept}; used by trainers and by the concept file reader. */
    public static final class Builder {
        private String name;
        private String supercategory;
        private String baseModel = "";
        private float[] tokenEmbedding;
        private float[] conceptInput;
        private float[] supercategoryInput;
        private final Map<String, float[]> valueTargets = new LinkedHashMap<>();
        private final Map<String, float[]> keyTargets = new LinkedHashMap<>();
        private Gate keyGate = Gate.INFERENCE;
        private Gate valueGate = Gate.INFERENCE;
        private final Map<String, String> training = new LinkedHashMap<>();
        private ConceptMethod method = ConceptMethod.PERFUSION;
        private EditScope editScope = EditScope.ALL_TOKENS;
        private KeyLockForm keyLockForm = KeyLockForm.GATED;

        private Builder() {
        }

        /** How the key edit puts the supercategory back; default {@link KeyLockForm#GATED}, the paper's. */
        public Builder keyLockForm(KeyLockForm form) {
            this.keyLockForm = form;
            return this;
        }

        /** Which tokens the edit reaches; default {@link EditScope#ALL_TOKENS}, the paper's formula. */
        public Builder editScope(EditScope scope) {
            this.editScope = scope;
            return this;
        }

        /** How the concept was trained; default {@link ConceptMethod#PERFUSION}. */
        public Builder method(ConceptMethod method) {
            this.method = method;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder supercategory(String supercategory) {
            this.supercategory = supercategory;
            return this;
        }

        public Builder baseModel(String fingerprint) {
            this.baseModel = fingerprint;
            return this;
        }

        public Builder tokenEmbedding(float[] embedding) {
            this.tokenEmbedding = embedding;
            return this;
        }

        public Builder conceptInput(float[] iStar) {
            this.conceptInput = iStar;
            return this;
        }

        public Builder supercategoryInput(float[] iSuper) {
            this.supercategoryInput = iSuper;
            return this;
        }

        /** Adds the value target of one layer; layers keep the order they are added in. */
        public Builder valueTarget(String layer, float[] target) {
            valueTargets.put(Objects.requireNonNull(layer, "layer"), target);
            return this;
        }

        /** Adds the key target of one layer (optional). */
        public Builder keyTarget(String layer, float[] target) {
            keyTargets.put(Objects.requireNonNull(layer, "layer"), target);
            return this;
        }

        public Builder keyGate(Gate gate) {
            this.keyGate = gate;
            return this;
        }

        public Builder valueGate(Gate gate) {
            this.valueGate = gate;
            return this;
        }

        public Builder training(Map<String, String> settings) {
            training.clear();
            training.putAll(settings);
            return this;
        }

        public Concept build() {
            return new Concept(this);
        }
    }
}
