package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.schedule.NoiseSchedule;
import dev.perfusion.core.schedule.SamplerSettings;
import dev.perfusion.core.schedule.Timesteps;

/**
 * DDIM, as diffusers' {@code DDIMScheduler}: deterministic at {@code eta = 0}, adding fresh noise scaled by
 * {@code eta} above; the predicted clean sample clipped when the config says so (DDIM's default). Default spacing
 * "leading".
 */
final class DdimSampler implements Sampler {

    private final NoiseSchedule schedule;
    private final SamplerSettings settings;
    private final double[] timesteps;
    private final int stride;
    private final double eta;
    private final NoiseSource noise;

    DdimSampler(SamplerSettings settings, int steps, double eta, NoiseSource noise) {
        this.settings = settings;
        this.schedule = new NoiseSchedule(settings, false);
        this.timesteps = Timesteps.spaced(settings.timestepSpacing(), settings.numTrainTimesteps(), steps,
                settings.stepsOffset(), steps, true);
        this.stride = settings.numTrainTimesteps() / steps;
        this.eta = eta;
        this.noise = noise;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample) {
        int t = (int) timesteps[index];
        int prev = t - stride;
        double alpha = schedule.alphaCumprod(t);
        double alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev)
                : settings.setAlphaToOne() ? 1.0 : schedule.alphaCumprod(0);
        double beta = 1 - alpha;
        NDArray original;
        NDArray epsilon;
        if (settings.vPrediction()) {
            original = sample.mul(Math.sqrt(alpha)).sub(modelOutput.mul(Math.sqrt(beta)));
            epsilon = modelOutput.mul(Math.sqrt(alpha)).add(sample.mul(Math.sqrt(beta)));
        } else if (settings.samplePrediction()) {
            original = modelOutput;
            epsilon = sample.sub(modelOutput.mul(Math.sqrt(alpha))).div(Math.sqrt(beta));
        } else {
            original = sample.sub(modelOutput.mul(Math.sqrt(beta))).div(Math.sqrt(alpha));
            epsilon = modelOutput;
        }
        if (settings.clipSample()) {
            original = original.clip(-settings.clipSampleRange(), settings.clipSampleRange());
        }
        double variance = (1 - alphaPrev) / beta * (1 - alpha / alphaPrev);
        double std = eta * Math.sqrt(variance);
        NDArray prevSample = original.mul(Math.sqrt(alphaPrev))
                .add(epsilon.mul(Math.sqrt(1 - alphaPrev - std * std)));
        if (eta > 0) {
            prevSample = prevSample.add(noise.next(sample.getManager(), sample.getShape()).mul(std));
        }
        return prevSample;
    }
}
