package dev.perfusion.djl.judge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.djl.nn.Scalars;

/** The symmetric contrastive (InfoNCE) loss of CLIP, and the cosine geometry it trains. */
public final class Contrastive {

    /** The largest logit scale, as CLIP clamps it. */
    static final double MAX_SCALE = 100;

    private Contrastive() {
    }

    /** Rows scaled to unit length. */
    public static NDArray normalise(NDArray x) {
        return x.div(x.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
    }

    /**
     * The mean cross-entropy of matching row {@code i} of {@code a} to row {@code i} of {@code b} among all rows of
     * {@code b}, and the other way round, with cosine logits times {@code exp(logScale)}.
     */
    public static NDArray loss(NDArray a, NDArray b, NDArray logScale) {
        return loss(a, b, null, logScale);
    }

    /**
     * {@link #loss(NDArray, NDArray, NDArray)} where each row of {@code a} must also be told from row {@code i} of
     * {@code negatives} (a hard negative made for it, as NegCLIP's swapped captions): row {@code i} of {@code a} is
     * matched among all rows of {@code b} and all of {@code negatives}; the columns, rows of {@code b}, among the rows
     * of {@code a} as before. With {@code negatives} null it is the plain loss.
     */
    public static NDArray loss(NDArray a, NDArray b, NDArray negatives, NDArray logScale) {
        long n = a.getShape().get(0);
        NDManager m = a.getManager();
        NDArray clipped = logScale.clip(0, (float) Math.log(MAX_SCALE));
        clipped.attach(m);
        NDArray scale = clipped.exp();
        NDArray unitA = normalise(a);
        NDArray logits = unitA.matMul(normalise(b).transpose()).mul(scale);
        NDArray rowScores = negatives == null ? logits.logSoftmax(1)
                : logits.concat(unitA.matMul(normalise(negatives).transpose()).mul(scale), 1).logSoftmax(1)
                        .get(":, :" + n);
        NDArray eye = m.eye((int) n);
        NDArray rows = rowScores.mul(eye).sum();
        NDArray columns = logits.logSoftmax(0).mul(eye).sum();
        return Scalars.over(rows.add(columns), -2.0 * n);
    }

    /** The learnable log logit scale, starting at CLIP's log(1 / 0.07). */
    public static NDArray initialLogScale(NDManager manager) {
        return manager.create(new float[] {(float) Math.log(1 / 0.07)}, new Shape(1));
    }
}
