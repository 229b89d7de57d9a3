package dev.perfusion.api;

/**
 * How a concept is trained. The defaults follow the public Stable Diffusion 1.5 recipe (400 steps, effective batch
 * 16); {@link #builder()} changes any of them.
 *
 * @param steps                 optimiser steps
 * @param batchSize             images per forward pass
 * @param gradientAccumulation  passes accumulated into one optimiser step
 * @param valueLearningRate     learning rate of the per-layer value targets
 * @param embeddingLearningRate learning rate of the concept token's input embedding
 * @param gate                  the gate used during training
 * @param emaDecay              decay of the running averages of i* and i_s
 * @param flipProbability       chance to mirror a training image; 0 for asymmetric subjects
 * @param smallestScale         smallest scale at which a training image is also shown, shrunk and placed anywhere
 *                              on its canvas (the zoom-out of Custom Diffusion's scale augmentation); 1 for none
 * @param resolution            training image side in pixels; 0 for the base model's own
 * @param seed                  seed of every random choice, so a run can be repeated
 * @param attentionLossWeight   weight of the loss that pulls the concept token's cross-attention maps toward the
 *                              supercategory's
 * @param method                what to train: Perfusion, or one of the baselines
 * @param editScope             which tokens the edit reaches, in training and in the concept's generations
 * @param keyLockForm           how the key edit puts the supercategory back, in training and in generations
 * @param templates             prompt templates with {@code {}} for the concept; empty for the model's defaults
 */
public record TrainingOptions(int steps, int batchSize, int gradientAccumulation, double valueLearningRate,
        double embeddingLearningRate, Gate gate, double emaDecay, double flipProbability, double smallestScale,
        int resolution, long seed, double attentionLossWeight, ConceptMethod method, EditScope editScope,
        KeyLockForm keyLockForm, java.util.List<String> templates) {

    public TrainingOptions {
        positive("steps", steps);
        positive("batchSize", batchSize);
        positive("gradientAccumulation", gradientAccumulation);
        if (!(valueLearningRate > 0) || !(embeddingLearningRate >= 0)) {
            throw new IllegalArgumentException("learning rates must be positive (embedding may be 0), got value "
                    + valueLearningRate + " and embedding " + embeddingLearningRate);
        }
        if (gate == null) {
            throw new IllegalArgumentException("training gate is required");
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("emaDecay must be in [0, 1), got " + emaDecay);
        }
        if (!(flipProbability >= 0 && flipProbability <= 1)) {
            throw new IllegalArgumentException("flipProbability must be in [0, 1], got " + flipProbability);
        }
        if (!(smallestScale > 0 && smallestScale <= 1)) {
            throw new IllegalArgumentException("smallestScale must be in (0, 1], got " + smallestScale);
        }
        if (resolution < 0 || resolution % 8 != 0) {
            throw new IllegalArgumentException("resolution must be 0 or a positive multiple of 8, got " + resolution);
        }
        if (!(attentionLossWeight >= 0) || Double.isInfinite(attentionLossWeight)) {
            throw new IllegalArgumentException("attentionLossWeight must be finite and >= 0, got "
                    + attentionLossWeight);
        }
        java.util.Objects.requireNonNull(method, "method");
        java.util.Objects.requireNonNull(editScope, "editScope");
        java.util.Objects.requireNonNull(keyLockForm, "keyLockForm");
        templates = java.util.List.copyOf(templates);
        for (String t : templates) {
            if (t.indexOf("{}") < 0 || t.indexOf("{}") != t.lastIndexOf("{}")) {
                throw new IllegalArgumentException("a template holds the concept's place once as {}, got '" + t
                        + "'");
            }
        }
    }

    /** The defaults. */
    public static TrainingOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        return builder().steps(steps).batchSize(batchSize).gradientAccumulation(gradientAccumulation)
                .valueLearningRate(valueLearningRate).embeddingLearningRate(embeddingLearningRate).gate(gate)
                .emaDecay(emaDecay).flipProbability(flipProbability).smallestScale(smallestScale)
                .resolution(resolution).seed(seed)
                .attentionLossWeight(attentionLossWeight).method(method).editScope(editScope).keyLockForm(keyLockForm)
                .templates(templates);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    /** Builds {@link TrainingOptions}, starting from the defaults. */
    public static final class Builder {
        private int steps = 400;
        private int batchSize = 4;
        private int gradientAccumulation = 4;
        private double valueLearningRate = 0.03;
        private double embeddingLearningRate = 0.006;
        private Gate gate = Gate.TRAINING;
        private double emaDecay = 0.99;
        private double flipProbability = 0.5;
        private double smallestScale = 1;
        private int resolution;
        private long seed;
        private double attentionLossWeight = 0.05;
        private ConceptMethod method = ConceptMethod.PERFUSION;
        private EditScope editScope = EditScope.ALL_TOKENS;
        private KeyLockForm keyLockForm = KeyLockForm.GATED;
        private java.util.List<String> templates = java.util.List.of();

        private Builder() {
        }

        /** Optimiser steps; default 400. */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Images per forward pass; default 4. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Passes accumulated into one optimiser step; default 4. */
        public Builder gradientAccumulation(int passes) {
            this.gradientAccumulation = passes;
            return this;
        }

        /** Learning rate of the value (and trained key) targets; default 0.03. */
        public Builder valueLearningRate(double rate) {
            this.valueLearningRate = rate;
            return this;
        }

        /** Learning rate of the token embedding; default 0.006. */
        public Builder embeddingLearningRate(double rate) {
            this.embeddingLearningRate = rate;
            return this;
        }

        /** The gate while training; default {@link Gate#TRAINING}. */
        public Builder gate(Gate gate) {
            this.gate = gate;
            return this;
        }

        /** Decay of the running averages of i* and i_s; default 0.99. */
        public Builder emaDecay(double decay) {
            this.emaDecay = decay;
            return this;
        }

        /** Chance to mirror an image; default 0.5, 0 for asymmetric subjects. */
        public Builder flipProbability(double probability) {
            this.flipProbability = probability;
            return this;
        }

        /**
         * Smallest scale of the zoom-out augmentation; default 1, none. Below 1, each photo is also trained shrunk by
         * a factor between this and 1, placed anywhere on its canvas with the rest filled from its border, and its
         * mask shrunk alike, so that a subject photographed large is learnt small and off-centre too.
         */
        public Builder smallestScale(double scale) {
            this.smallestScale = scale;
            return this;
        }

        /** Training image side; default 0, the model's own. */
        public Builder resolution(int pixels) {
            this.resolution = pixels;
            return this;
        }

        /** Seed of every random choice; default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Weight of the attention loss; default 0.05. */
        public Builder attentionLossWeight(double weight) {
            this.attentionLossWeight = weight;
            return this;
        }

        /** What to train; default {@link ConceptMethod#PERFUSION}. */
        public Builder method(ConceptMethod method) {
            this.method = method;
            return this;
        }

        /** Which tokens the edit reaches; default {@link EditScope#ALL_TOKENS}, the paper's formula. */
        public Builder editScope(EditScope scope) {
            this.editScope = scope;
            return this;
        }

        /** How the key edit puts the supercategory back; default {@link KeyLockForm#GATED}, the paper's. */
        public Builder keyLockForm(KeyLockForm form) {
            this.keyLockForm = form;
            return this;
        }

        /** Prompt templates with {@code {}} for the concept; default none, the model's own. */
        public Builder templates(java.util.List<String> templates) {
            this.templates = templates;
            return this;
        }

        public TrainingOptions build() {
            return new TrainingOptions(steps, batchSize, gradientAccumulation, valueLearningRate,
                    embeddingLearningRate, gate, emaDecay, flipProbability, smallestScale, resolution, seed,
                    attentionLossWeight, method, editScope, keyLockForm, templates);
        }
    }
}
