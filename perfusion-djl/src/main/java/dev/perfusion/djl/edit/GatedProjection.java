package dev.perfusion.djl.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.perfusion.api.Gate;
import dev.perfusion.core.edit.EditPlan;
import dev.perfusion.djl.nn.Projection;
import java.util.List;

/**
 * A cross-attention key or value projection with Perfusion's gated rank-one edit, on DJL tensors: batched over any
 * leading dimensions (batch, tokens) and over all concepts of the edit at once.
 *
 * <pre>
 *   P = E probe;  S = P / energy
 *   out = E W^T - P removal + gate(S) targets,   gate(S) = sigmoid((S - bias) / temperature)
 * </pre>
 *
 * with a temperature of zero standing for the step {@code S >= bias}. {@link #scopedTo} confines it to chosen tokens
 * (masking {@code P} and the gate), for concepts that reach only their own token. {@code W} is the layer's own weight,
 * used in place, never copied. The other arrays belong to the caller's manager; the targets may be trainable
 * (gradients reach them through the gate's product).
 */
public final class GatedProjection implements Projection {

    private final NDArray weight;
    private final NDArray probe;
    private final NDArray energy;
    private final NDArray removal;
    private final NDArray targets;
    private final NDArray bias;
    private final NDArray temperature;
    private final NDArray step;
    private final boolean anyStep;
    private final TokenScope scope;

    /**
     * @param weight  {@code W}, (out, in)
     * @param probe   {@code C^{-1} I*}, (in, n)
     * @param energy  {@code i*_c^T C^{-1} i*_c}, (n)
     * @param removal what to subtract per unit of {@code P}, (n, out)
     * @param targets {@code o*_c} as rows, (n, out)
     * @param gates   one per concept
     */
    public GatedProjection(NDArray weight, NDArray probe, NDArray energy, NDArray removal, NDArray targets,
            List<Gate> gates) {
        Shape w = weight.getShape();
        long n = gates.size();
        check("probe", probe, new Shape(w.get(1), n));
        check("energy", energy, new Shape(n));
        check("removal", removal, new Shape(n, w.get(0)));
        check("targets", targets, new Shape(n, w.get(0)));
        NDManager m = probe.getManager();
        float[] bias = new float[(int) n];
        float[] temperature = new float[(int) n];
        float[] step = new float[(int) n];
        boolean anyStep = false;
        for (int c = 0; c < n; c++) {
            Gate g = gates.get(c);
            bias[c] = (float) g.bias();
            temperature[c] = g.temperature() == 0 ? 1f : (float) g.temperature();
            step[c] = g.temperature() == 0 ? 1f : 0f;
            anyStep |= g.temperature() == 0;
        }
        this.weight = weight;
        this.probe = probe;
        this.energy = energy;
        this.removal = removal;
        this.targets = targets;
        this.bias = m.create(bias);
        this.temperature = m.create(temperature);
        this.step = m.create(step);
        this.anyStep = anyStep;
        this.scope = null;
    }

    private GatedProjection(GatedProjection p, TokenScope scope) {
        this.weight = p.weight;
        this.probe = p.probe;
        this.energy = p.energy;
        this.removal = p.removal;
        this.targets = p.targets;
        this.bias = p.bias;
        this.temperature = p.temperature;
        this.step = p.step;
        this.anyStep = p.anyStep;
        this.scope = scope;
    }

    /**
     * This projection acting only where {@code scope} allows; its masks are (batch, tokens, n) for the encodings it
     * will be applied to.
     */
    public GatedProjection scopedTo(TokenScope scope) {
        long n = bias.getShape().get(0);
        if (scope.gates().getShape().get(2) != n || !scope.gates().getShape().equals(scope.removal().getShape())) {
            throw new IllegalArgumentException("token scope of shape " + scope.gates().getShape() + " / "
                    + scope.removal().getShape() + " does not fit an edit of " + n + " concepts");
        }
        return new GatedProjection(this, scope);
    }

    /** The edited projection of weight {@code w} (out, in) from a plan of the reference, its arrays on {@code m}. */
    public static GatedProjection of(NDManager m, NDArray w, EditPlan plan) {
        int in = plan.inWidth();
        int out = plan.outWidth();
        int n = plan.concepts();
        Gate[] gates = new Gate[n];
        for (int c = 0; c < n; c++) {
            gates[c] = new Gate(plan.bias()[c], plan.temperature()[c]);
        }
        return new GatedProjection(w, m.create(plan.probe(), new Shape(in, n)), m.create(plan.energy(), new Shape(n)),
                m.create(plan.removal(), new Shape(n, out)), m.create(plan.targets(), new Shape(n, out)),
                List.of(gates));
    }

    /** Applies the projection to encodings of shape (..., in), giving (..., out). */
    @Override
    public NDArray forward(NDArray encodings) {
        NDArray projected = ai.djl.nn.core.Linear.linear(encodings, weight).singletonOrThrow();
        NDArray p = encodings.matMul(probe);
        NDArray s = p.div(energy);
        NDArray gate = Activation.sigmoid(s.sub(bias).div(temperature));
        if (anyStep) {
            NDArray hard = s.gte(bias).toType(DataType.FLOAT32, false);
            gate = hard.mul(step).add(gate.mul(step.neg().add(1)));
        }
        if (scope != null) {
            p = p.mul(scope.removal());
            gate = gate.mul(scope.gates());
        }
        return projected.sub(p.matMul(removal)).add(gate.matMul(targets));
    }

    /** Similarities {@code s_c(e)} of encodings (..., in) to every concept, shape (..., n). */
    public NDArray similarities(NDArray encodings) {
        return encodings.matMul(probe).div(energy);
    }

    private static void check(String what, NDArray array, Shape expected) {
        if (!array.getShape().equals(expected)) {
            throw new IllegalArgumentException("edit's " + what + " has shape " + array.getShape() + ", expected "
                    + expected + " for the projection's weight");
        }
    }
}
