package dev.perfusion.core.edit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Streams text-encoder outputs and accumulates their uncentred second moment {@code C = mean(e e^T)}, in double
 * precision. Encodings are buffered in blocks so the accumulation runs as matrix products, not token by token.
 * Feed it only real tokens: padding would bias {@code C} toward the padding encoding.
 *
 * <p>Not thread-safe.
 */
public final class CovarianceEstimator {

    private static final int BLOCK = 256;

    private final int dim;
    private final DMatrixRMaj sum;
    private final DMatrixRMaj block;
    private int buffered;
    private long count;

    /** An estimator for encodings of width {@code dim}. */
    public CovarianceEstimator(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("encoding width must be positive, got " + dim);
        }
        this.dim = dim;
        this.sum = new DMatrixRMaj(dim, dim);
        this.block = new DMatrixRMaj(BLOCK, dim);
    }

    public int dim() {
        return dim;
    }

    /** Encodings seen so far. */
    public long count() {
        return count + buffered;
    }

    /** Adds one token's encoding. */
    public void accept(float[] encoding) {
        acceptRows(encoding, 0, 1);
    }

    /**
     * Adds {@code rows} encodings stored row by row in {@code data} from {@code offset}.
     */
    public void acceptRows(float[] data, int offset, int rows) {
        if (rows < 0 || offset < 0 || (long) offset + (long) rows * dim > data.length) {
            throw new IllegalArgumentException("expected " + rows + " rows of width " + dim + " from offset "
                    + offset + " in an array of " + data.length);
        }
        for (int r = 0; r < rows; r++) {
            int src = offset + r * dim;
            for (int j = 0; j < dim; j++) {
                float v = data[src + j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(
                            "encoding " + count() + " has a non-finite value " + v + " at " + j);
                }
                block.data[buffered * dim + j] = v;
            }
            if (++buffered == BLOCK) {
                flush();
            }
        }
    }

    /** The covariance of everything seen; the estimator can keep accepting afterwards. */
    public TextCovariance result() {
        flush();
        if (count == 0) {
            throw new IllegalStateException("no encodings were seen: the covariance is undefined");
        }
        DMatrixRMaj mean = sum.copy();
        CommonOps_DDRM.scale(1.0 / count, mean);
        return new TextCovariance(mean, count);
    }

    private void flush() {
        if (buffered == 0) {
            return;
        }
        DMatrixRMaj rows = buffered == BLOCK ? block : CommonOps_DDRM.extract(block, 0, buffered, 0, dim);
        CommonOps_DDRM.multAddTransA(rows, rows, sum);
        count += buffered;
        buffered = 0;
    }
}
