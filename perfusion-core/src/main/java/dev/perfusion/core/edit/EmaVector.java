package dev.perfusion.core.edit;

/**
 * An exponential moving average of vectors, as Perfusion keeps {@code i*}, {@code i_s} and the key targets:
 * the first update sets it to that batch's mean, each later one moves it by {@code 1 - decay} toward the batch mean.
 */
public final class EmaVector {

    private final double decay;
    private final double[] value;
    private long updates;

    public EmaVector(int dim, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
        }
        this.decay = decay;
        this.value = new double[dim];
    }

    /** Folds in the mean of {@code rows} vectors stored row by row. */
    public void update(float[] batch, int rows) {
        int dim = value.length;
        if (rows <= 0 || batch.length != rows * dim) {
            throw new IllegalArgumentException(
                    "expected " + rows + " rows of width " + dim + ", got " + batch.length + " values");
        }
        double keep = updates == 0 ? 0 : decay;
        for (int j = 0; j < dim; j++) {
            double mean = 0;
            for (int r = 0; r < rows; r++) {
                mean += batch[r * dim + j];
            }
            mean /= rows;
            value[j] = keep * value[j] + (1 - keep) * mean;
        }
        updates++;
    }

    /** Updates folded in so far. */
    public long updates() {
        return updates;
    }

    /** The current average; throws before the first update. */
    public double[] value() {
        if (updates == 0) {
            throw new IllegalStateException("the moving average has not seen any batch yet");
        }
        return value.clone();
    }
}
