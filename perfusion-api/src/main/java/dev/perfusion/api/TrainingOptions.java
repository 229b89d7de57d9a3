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
 * @param resolution            training image side in pixels; 0 for the base model's own
 * @param seed                  seed of every random choice, so a run can be repeated
 */
public record TrainingOptions(int steps, int batchSize, int gradientAccumulation, double valueLearningRate,
        double embeddingLearningRate, Gate gate, double emaDecay, double flipProbability, int resolution,
        long seed) {

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
        if (resolution < 0 || resolution % 8 != 0) {
            throw new IllegalArgumentException("resolution must be 0 or a positive multiple of 8, got " + resolution);
        }
    }

    /** The defaults. */
    public static TrainingOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
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
        private int resolution;
        private long seed;

        private Builder() {
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder gradientAccumulation(int passes) {
            this.gradientAccumulation = passes;
            return this;
        }

        public Builder valueLearningRate(double rate) {
            this.valueLearningRate = rate;
            return this;
        }

        public Builder embeddingLearningRate(double rate) {
            this.embeddingLearningRate = rate;
            return this;
        }

        public Builder gate(Gate gate) {
            this.gate = gate;
            return this;
        }

        public Builder emaDecay(double decay) {
            this.emaDecay = decay;
            return this;
        }

        public Builder flipProbability(double probability) {
            this.flipProbability = probability;
            return this;
        }

        public Builder resolution(int pixels) {
            this.resolution = pixels;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public TrainingOptions build() {
            return new TrainingOptions(steps, batchSize, gradientAccumulation, valueLearningRate,
                    embeddingLearningRate, gate, emaDecay, flipProbability, resolution, seed);
        }
    }
}
