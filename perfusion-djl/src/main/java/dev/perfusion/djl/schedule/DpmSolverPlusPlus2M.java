package dev.perfusion.djl.schedule;

import ai.djl.ndarray.NDArray;

/**
 * DPM-Solver++ 2M, as diffusers' {@code DPMSolverMultistepScheduler} with its defaults (order 2, midpoint, data
 * prediction, final sigma 0 reached by a first-order step). Default spacing "linspace". Keeps the previous step's
 * data prediction outside any step's memory until the next step or {@link #close()}.
 */
final class DpmSolverPlusPlus2M implements Sampler {

    private final NoiseSchedule schedule;
    private final double[] timesteps;
    private final double[] sigmas;
    private NDArray previousOutput;

    DpmSolverPlusPlus2M(NoiseSchedule schedule, int steps) {
        SchedulerConfig c = schedule.config();
        this.schedule = schedule;
        this.timesteps = Timesteps.spaced(c.spacing("linspace"), c.numTrainTimesteps(), steps, c.stepsOffset(),
                steps + 1, true);
        this.sigmas = Timesteps.sigmas(schedule, timesteps, 0);
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
        NDArray original = schedule.config().vPrediction()
                ? sample.mul(alphaS).sub(modelOutput.mul(sigmaS))
                : sample.sub(modelOutput.mul(sigmaS)).div(alphaS);
        double alphaT = alpha(sigmas[index + 1]);
        double sigmaT = sigmas[index + 1] * alphaT;
        double lambdaT = Math.log(alphaT) - Math.log(sigmaT);
        double lambdaS = Math.log(alphaS) - Math.log(sigmaS);
        double h = lambdaT - lambdaS;
        double expm = Math.exp(-h) - 1.0;
        boolean last = index == timesteps.length - 1;
        NDArray next;
        if (previousOutput == null || last) {
            next = sample.mul(sigmaT / sigmaS).sub(original.mul(alphaT * expm));
        } else {
            double alphaPrev = alpha(sigmas[index - 1]);
            double lambdaPrev = Math.log(alphaPrev) - Math.log(sigmas[index - 1] * alphaPrev);
            double r = (lambdaS - lambdaPrev) / h;
            NDArray d1 = original.sub(previousOutput).div(r);
            next = sample.mul(sigmaT / sigmaS).sub(original.mul(alphaT * expm)).sub(d1.mul(0.5 * alphaT * expm));
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
