package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.schedule.NoiseSchedule;
import dev.perfusion.core.schedule.SamplerSettings;
import dev.perfusion.core.schedule.Timesteps;

/**
 * DPM-Solver++ (multistep, data prediction), as diffusers' {@code DPMSolverMultistepScheduler}: order 2 (midpoint or
 * Heun update) or 1, on the schedule's sigmas or on Karras et al.'s, the last sigma 0 or the schedule's smallest, with
 * diffusers' rules for first-order steps at the end of a run. Default spacing "linspace". Keeps the previous step's
 * data prediction outside any step's memory until the next step or {@link #close()}.
 */
final class DpmSolverPlusPlus2M implements Sampler {

    private final SamplerSettings settings;
    private final double[] timesteps;
    private final double[] sigmas;
    private NDArray previousOutput;
    private int lowerOrderSteps;

    DpmSolverPlusPlus2M(SamplerSettings settings, int steps) {
        this.settings = settings;
        NoiseSchedule schedule = new NoiseSchedule(settings, true);
        int train = settings.numTrainTimesteps();
        double last = Timesteps.finalSigma(schedule, settings.finalSigmaZero());
        if (settings.karras()) {
            double[] training = schedule.trainingSigmas();
            double[] logSigmas = Timesteps.logSigmas(schedule);
            double[] karras = Timesteps.karras(training[0], training[train - 1], steps);
            this.timesteps = new double[steps];
            this.sigmas = new double[steps + 1];
            boolean round = !settings.betaSchedule().equals("squaredcos_cap_v2");
            for (int i = 0; i < steps; i++) {
                double t = Timesteps.sigmaToT(karras[i], logSigmas);
                timesteps[i] = round ? Math.rint(t) : (long) t;
                sigmas[i] = (float) karras[i];
            }
            sigmas[steps] = last;
        } else {
            this.timesteps = Timesteps.spaced(settings.timestepSpacing(), train, lastTimestep(schedule), steps,
                    settings.stepsOffset(), steps + 1, true);
            this.sigmas = Timesteps.sigmas(schedule, timesteps, last);
        }
    }

    /** The end of the timestep range after clipping the smallest log-SNR half ({@code lambda_min_clipped}). */
    private int lastTimestep(NoiseSchedule schedule) {
        double[] lambdas = schedule.lambdas();
        int below = 0;
        for (double l : lambdas) {
            if (l < settings.lambdaMinClipped()) {
                below++;
            }
        }
        return settings.numTrainTimesteps() - below;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample) {
        double alphaS = alpha(sigmas[index]);
        double sigmaS = sigmas[index] * alphaS;
        NDArray original = settings.samplePrediction() ? modelOutput
                : settings.vPrediction() ? sample.mul(alphaS).sub(modelOutput.mul(sigmaS))
                : sample.sub(modelOutput.mul(sigmaS)).div(alphaS);
        double alphaT = alpha(sigmas[index + 1]);
        double sigmaT = sigmas[index + 1] * alphaT;
        double lambdaT = Math.log(alphaT) - Math.log(sigmaT);
        double lambdaS = Math.log(alphaS) - Math.log(sigmaS);
        double h = lambdaT - lambdaS;
        double expm = Math.exp(-h) - 1.0;
        int n = timesteps.length;
        boolean finalStep = index == n - 1;
        boolean firstOrderHere = finalStep && (settings.eulerAtFinal() || (settings.lowerOrderFinal() && n < 15)
                || settings.finalSigmaZero());
        NDArray next;
        if (settings.solverOrder() == 1 || lowerOrderSteps < 1 || firstOrderHere) {
            next = sample.mul(sigmaT / sigmaS).sub(original.mul(alphaT * expm));
        } else {
            double alphaPrev = alpha(sigmas[index - 1]);
            double lambdaPrev = Math.log(alphaPrev) - Math.log(sigmas[index - 1] * alphaPrev);
            double r = (lambdaS - lambdaPrev) / h;
            NDArray d1 = original.sub(previousOutput).div(r);
            NDArray first = sample.mul(sigmaT / sigmaS).sub(original.mul(alphaT * expm));
            next = settings.heun() ? first.add(d1.mul(alphaT * (expm / h + 1)))
                    : first.sub(d1.mul(0.5 * alphaT * expm));
        }
        if (lowerOrderSteps < settings.solverOrder()) {
            lowerOrderSteps++;
        }
        NDArray kept = original.duplicate();
        kept.detach();
        close();
        previousOutput = kept;
        return next;
    }

    @Override
    public void close() {
        if (previousOutput != null) {
            previousOutput.close();
            previousOutput = null;
        }
    }

    private static double alpha(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }
}
