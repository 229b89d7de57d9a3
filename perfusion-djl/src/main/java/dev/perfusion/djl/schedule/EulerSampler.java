package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.schedule.NoiseSchedule;
import dev.perfusion.core.schedule.SamplerSettings;
import dev.perfusion.core.schedule.Timesteps;

/**
 * Euler, as diffusers' {@code EulerDiscreteScheduler} (no churn), on the schedule's sigmas or on Karras et al.'s;
 * and Euler ancestral, as {@code EulerAncestralDiscreteScheduler}, which adds fresh noise at every step. Default
 * spacing "linspace".
 */
final class EulerSampler implements Sampler {

    private final SamplerSettings settings;
    private final double[] timesteps;
    private final double[] sigmas;
    private final boolean ancestral;
    private final NoiseSource noise;
    private final double initNoiseSigma;

    EulerSampler(SamplerSettings settings, int steps, boolean ancestral, NoiseSource noise) {
        this.settings = settings;
        NoiseSchedule schedule = new NoiseSchedule(settings, true);
        String spacing = settings.timestepSpacing();
        double[] spaced = Timesteps.spaced(spacing, settings.numTrainTimesteps(), steps, settings.stepsOffset(),
                steps, false);
        double last = ancestral ? 0 : Timesteps.finalSigma(schedule, settings.finalSigmaZero());
        double[] interpolated = Timesteps.sigmas(schedule, spaced, last);
        if (settings.karras() && !ancestral) {
            double[] logSigmas = Timesteps.logSigmas(schedule);
            double min = settings.sigmaMin().orElse(interpolated[steps - 1]);
            double max = settings.sigmaMax().orElse(interpolated[0]);
            double[] karras = Timesteps.karras(min, max, steps);
            this.timesteps = new double[steps];
            this.sigmas = new double[steps + 1];
            for (int i = 0; i < steps; i++) {
                timesteps[i] = (float) Timesteps.sigmaToT(karras[i], logSigmas);
                sigmas[i] = (float) karras[i];
            }
            sigmas[steps] = last;
        } else {
            this.timesteps = spaced;
            this.sigmas = interpolated;
        }
        this.ancestral = ancestral;
        this.noise = noise;
        double max = 0;
        for (double s : sigmas) {
            max = Math.max(max, s);
        }
        this.initNoiseSigma = spacing.equals("leading") ? (float) Math.sqrt(max * max + 1) : max;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    /** The sigmas of every step and the final one. */
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

    /**
     * One step; the scalar coefficients are computed in float32 in diffusers' order (its sigmas are float32 tensors),
     * which matters where the first sigma is huge (zero terminal SNR) and the update cancels.
     */
    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample) {
        float sigma = (float) sigmas[index];
        float next = (float) sigmas[index + 1];
        float squarePlusOne = sigma * sigma + 1f;
        NDArray original = settings.vPrediction()
                ? modelOutput.mul(-sigma / (float) Math.sqrt(squarePlusOne)).add(sample.div(squarePlusOne))
                : sample.sub(modelOutput.mul(sigma));
        NDArray derivative = sample.sub(original).div(sigma);
        if (!ancestral) {
            return sample.add(derivative.mul(next - sigma));
        }
        float up = (float) Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
        float down = (float) Math.sqrt(next * next - up * up);
        return sample.add(derivative.mul(down - sigma))
                .add(noise.next(sample.getManager(), sample.getShape()).mul(up));
    }
}
