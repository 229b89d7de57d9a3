package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;

/**
 * Euler, as diffusers' {@code EulerDiscreteScheduler} (no churn), and Euler ancestral, as
 * {@code EulerAncestralDiscreteScheduler}, which adds fresh noise at every step. Default spacing "linspace".
 */
final class EulerSampler implements Sampler {

    private final NoiseSchedule schedule;
    private final double[] timesteps;
    private final double[] sigmas;
    private final boolean ancestral;
    private final NoiseSource noise;
    private final double initNoiseSigma;

    EulerSampler(NoiseSchedule schedule, int steps, boolean ancestral, NoiseSource noise) {
        SchedulerConfig c = schedule.config();
        String spacing = c.spacing("linspace");
        this.schedule = schedule;
        this.timesteps = Timesteps.spaced(spacing, c.numTrainTimesteps(), steps, c.stepsOffset(), steps, false);
        this.sigmas = Timesteps.sigmas(schedule, timesteps, 0);
        this.ancestral = ancestral;
        this.noise = noise;
        double max = sigmas[0];
        this.initNoiseSigma = spacing.equals("leading") ? (float) Math.sqrt(max * max + 1) : max;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    /** The sigmas of every step and the final 0. */
    double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public double initNoiseSigma() {
        return initNoiseSigma;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int index) {
        double sigma = sigmas[index];
        return sample.div(Math.sqrt(sigma * sigma + 1));
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample) {
        double sigma = sigmas[index];
        double next = sigmas[index + 1];
        NDArray original = schedule.config().vPrediction()
                ? modelOutput.mul(-sigma / Math.sqrt(sigma * sigma + 1)).add(sample.div(sigma * sigma + 1))
                : sample.sub(modelOutput.mul(sigma));
        NDArray derivative = sample.sub(original).div(sigma);
        if (!ancestral) {
            return sample.add(derivative.mul(next - sigma));
        }
        double up = Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
        double down = Math.sqrt(next * next - up * up);
        return sample.add(derivative.mul(down - sigma))
                .add(noise.next(sample.getManager(), sample.getShape()).mul(up));
    }
}
