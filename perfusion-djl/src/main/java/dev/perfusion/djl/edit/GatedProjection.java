package dev.perfusion.djl.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.perfusion.core.edit.EditPlan;
import dev.perfusion.djl.nn.Projection;
import java.util.Optional;

/**
 * A cross-attention key or value projection with Perfusion's gated rank-one edit, on DJL tensors: batched over
 * any leading dimensions (batch, tokens) and over all concepts of the edit at once.
 *
 * <pre>
 *   P = E probe;  S = P / energy
 *   out = E W^T - P removal + gate(S) targets,   gate(S) = sigmoid((S - bias) / temperature)
 * </pre>
 *
 * with a temperature of zero standing for the step {@code S >= bias}. The arrays come from an {@link EditPlan}
 * made by the engine-independent reference in {@code perfusion-core}. Without a plan, it is the plain projection.
 * The projection owns copies of its arrays in a child manager, freed by {@link #close()}.
 */
public final class GatedProjection implements Projection, AutoCloseable {

    private final NDManager manager;
    private final NDArray weightT;
    private final Optional<Edit> edit;

    private record Edit(NDArray probe, NDArray energy, NDArray removal, NDArray targets, NDArray bias,
            NDArray temperature, NDArray step, boolean anyStep) {
    }

    private GatedProjection(NDManager manager, NDArray weightT, Optional<Edit> edit) {
        this.manager = manager;
        this.weightT = weightT;
        this.edit = edit;
    }

    /**
     * The edited projection of weight {@code w} (shape (out, in), as stored in checkpoints).
     *
     * @param plan the edit, made for a matrix of the same shape
     */
    public static GatedProjection of(NDManager parent, NDArray w, EditPlan plan) {
        checkWeight(w, plan.inWidth(), plan.outWidth());
        NDManager m = parent.newSubManager();
        int in = plan.inWidth();
        int out = plan.outWidth();
        int n = plan.concepts();
        float[] safeTemperature = plan.temperature().clone();
        float[] step = new float[n];
        boolean anyStep = false;
        for (int c = 0; c < n; c++) {
            if (safeTemperature[c] == 0) {
                safeTemperature[c] = 1;
                step[c] = 1;
                anyStep = true;
            }
        }
        Edit edit = new Edit(
                m.create(plan.probe(), new Shape(in, n)),
                m.create(plan.energy(), new Shape(n)),
                m.create(plan.removal(), new Shape(n, out)),
                m.create(plan.targets(), new Shape(n, out)),
                m.create(plan.bias(), new Shape(n)),
                m.create(safeTemperature, new Shape(n)),
                m.create(step, new Shape(n)),
                anyStep);
        return new GatedProjection(m, transposed(m, w), Optional.of(edit));
    }

    /** The unedited projection of weight {@code w} (shape (out, in)). */
    public static GatedProjection plain(NDManager parent, NDArray w) {
        NDManager m = parent.newSubManager();
        return new GatedProjection(m, transposed(m, w), Optional.empty());
    }

    /** Applies the projection to encodings of shape (..., in), giving (..., out). */
    @Override
    public NDArray forward(NDArray encodings) {
        NDArray projected = encodings.matMul(weightT);
        if (edit.isEmpty()) {
            return projected;
        }
        Edit e = edit.get();
        NDArray p = encodings.matMul(e.probe);
        NDArray s = p.div(e.energy);
        NDArray gate = Activation.sigmoid(s.sub(e.bias).div(e.temperature));
        if (e.anyStep) {
            NDArray hard = s.gte(e.bias).toType(DataType.FLOAT32, false);
            gate = hard.mul(e.step).add(gate.mul(e.step.neg().add(1)));
        }
        return projected.sub(p.matMul(e.removal)).add(gate.matMul(e.targets));
    }

    /** Similarities {@code s_c(e)} of encodings (..., in) to every concept, shape (..., n). */
    public Optional<NDArray> similarities(NDArray encodings) {
        return edit.map(e -> encodings.matMul(e.probe).div(e.energy));
    }

    @Override
    public void close() {
        manager.close();
    }

    private static NDArray transposed(NDManager m, NDArray w) {
        NDArray t = w.transpose().duplicate();
        t.attach(m);
        return t;
    }

    private static void checkWeight(NDArray w, int in, int out) {
        Shape shape = w.getShape();
        if (shape.dimension() != 2 || shape.get(0) != out || shape.get(1) != in) {
            throw new IllegalArgumentException("projection weight has shape " + shape + " but the edit was made for ("
                    + out + ", " + in + ")");
        }
    }
}
