package dev.perfusion.core.edit;

import dev.perfusion.api.Gate;
import dev.perfusion.api.MultiConceptMode;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Perfusion's gated rank-one edit of one projection {@code W} (a cross-attention key or value) for one or several
 * concepts, in double precision: the engine-independent reference every backend is checked against.
 *
 * <p>For an input {@code e}, with {@code p = (C^{-1} I*)^T e} and similarities {@code s_c = p_c / g_c},
 * {@code g_c = i*_c^T C^{-1} i*_c}:
 *
 * <pre>
 *   edit(e) = W e - A p + sum_c gate_c(s_c) (o*_c - W a_c)
 * </pre>
 *
 * where {@code A = W (I* - A_n) G^{-1}} ({@code G = I*^T C^{-1} I*}, {@code A_n} the anchors {@code a_c} as
 * columns) replaces the {@code C^{-1}}-orthogonal projection of {@code e} onto the span of the {@code i*} by the same
 * combination of anchors ({@link MultiConceptMode#EXACT}), and {@code A = W (I* - A_n) diag(1/g)} replaces each
 * concept's component separately ({@link MultiConceptMode#APPROXIMATE}). With the paper's zero anchors and one
 * concept both are {@code W e - s(e) W i* + gate(s(e)) o*}. The exact form is the paper's QR construction written
 * with the Gram matrix: both project onto the same subspace in the same metric.
 */
public final class GatedRankOneEdit {

    private final DMatrixRMaj w;
    private final DMatrixRMaj probe;
    private final double[] energy;
    private final DMatrixRMaj removal;
    private final DMatrixRMaj targets;
    private final Gate[] gates;
    private final MultiConceptMode mode;

    private GatedRankOneEdit(DMatrixRMaj w, DMatrixRMaj probe, double[] energy, DMatrixRMaj removal,
            DMatrixRMaj targets, Gate[] gates, MultiConceptMode mode) {
        this.w = w;
        this.probe = probe;
        this.energy = energy;
        this.removal = removal;
        this.targets = targets;
        this.gates = gates;
        this.mode = mode;
    }

    /**
     * Prepares the edit of {@code w} (shape (out, in)) for the given concepts.
     *
     * @throws IllegalArgumentException when a width does not match, or the inputs are linearly dependent in the
     *                                  metric (exact mode) or one of them is zero
     */
    public static GatedRankOneEdit of(DMatrixRMaj w, CovarianceInverse inverse, List<EditTarget> concepts,
            MultiConceptMode mode) {
        if (concepts.isEmpty()) {
            throw new IllegalArgumentException("an edit needs at least one concept");
        }
        if (inverse.dim() != w.numCols) {
            throw new IllegalArgumentException("projection takes " + w.numCols + " inputs but C^{-1} is "
                    + inverse.dim() + "x" + inverse.dim());
        }
        int n = concepts.size();
        double[][] inputs = new double[n][];
        double[][] outputs = new double[n][];
        double[][] anchors = new double[n][];
        Gate[] gates = new Gate[n];
        for (int c = 0; c < n; c++) {
            inputs[c] = concepts.get(c).input();
            outputs[c] = concepts.get(c).output();
            anchors[c] = concepts.get(c).anchor();
            gates[c] = concepts.get(c).gate();
        }
        DMatrixRMaj iStar = Matrices.columns(inputs, w.numCols, "concept input i*");
        DMatrixRMaj oStar = Matrices.columns(outputs, w.numRows, "concept target o*");
        DMatrixRMaj anchor = Matrices.columns(anchors, w.numCols, "concept anchor");
        DMatrixRMaj anchored = new DMatrixRMaj(w.numRows, n);
        CommonOps_DDRM.mult(w, anchor, anchored);
        CommonOps_DDRM.subtractEquals(oStar, anchored);
        DMatrixRMaj probe = inverse.times(iStar);
        DMatrixRMaj gram = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransA(iStar, probe, gram);
        double[] energy = new double[n];
        for (int c = 0; c < n; c++) {
            energy[c] = gram.get(c, c);
            if (!(energy[c] > 0)) {
                throw new IllegalArgumentException("concept input " + c + " has no energy in the C^{-1} metric ("
                        + energy[c] + "): is i* zero?");
            }
        }
        DMatrixRMaj wi = new DMatrixRMaj(w.numRows, n);
        CommonOps_DDRM.mult(w, iStar, wi);
        CommonOps_DDRM.subtractEquals(wi, anchored);
        DMatrixRMaj removal = new DMatrixRMaj(w.numRows, n);
        if (mode == MultiConceptMode.EXACT) {
            CommonOps_DDRM.mult(wi, Matrices.invertGram(gram, "the concept inputs (use APPROXIMATE mode)"),
                    removal);
        } else {
            for (int r = 0; r < w.numRows; r++) {
                for (int c = 0; c < n; c++) {
                    removal.set(r, c, wi.get(r, c) / energy[c]);
                }
            }
        }
        return new GatedRankOneEdit(w.copy(), probe, energy, removal, oStar, gates, mode);
    }

    /** Concepts in this edit. */
    public int concepts() {
        return energy.length;
    }

    public MultiConceptMode mode() {
        return mode;
    }

    /** {@code s_c(e)} for every concept: 1 at {@code e = i*_c}, 0 for inputs {@code C^{-1}}-orthogonal to it. */
    public double[] similarities(double[] e) {
        double[] p = coefficients(e);
        for (int c = 0; c < p.length; c++) {
            p[c] /= energy[c];
        }
        return p;
    }

    /** The edited projection of one input. */
    public double[] apply(double[] e) {
        double[] p = coefficients(e);
        DMatrixRMaj out = new DMatrixRMaj(w.numRows, 1);
        CommonOps_DDRM.mult(w, Matrices.column(e), out);
        DMatrixRMaj removed = new DMatrixRMaj(w.numRows, 1);
        CommonOps_DDRM.mult(removal, Matrices.column(p), removed);
        CommonOps_DDRM.subtractEquals(out, removed);
        for (int c = 0; c < p.length; c++) {
            double open = gates[c].weight(p[c] / energy[c]);
            for (int r = 0; r < w.numRows; r++) {
                out.data[r] += open * targets.get(r, c);
            }
        }
        return out.data;
    }

    /** The edit as float arrays, for tensor engines; see {@link EditPlan}. */
    public EditPlan plan() {
        int n = energy.length;
        float[] bias = new float[n];
        float[] temperature = new float[n];
        float[] g = new float[n];
        for (int c = 0; c < n; c++) {
            bias[c] = (float) gates[c].bias();
            temperature[c] = (float) gates[c].temperature();
            g[c] = (float) energy[c];
        }
        return new EditPlan(w.numCols, w.numRows, n, Matrices.toFloat(probe), g,
                Matrices.toFloat(CommonOps_DDRM.transpose(removal, null)),
                Matrices.toFloat(CommonOps_DDRM.transpose(targets, null)), bias, temperature);
    }

    private double[] coefficients(double[] e) {
        if (e.length != w.numCols) {
            throw new IllegalArgumentException("input has " + e.length + " values, expected " + w.numCols);
        }
        DMatrixRMaj p = new DMatrixRMaj(energy.length, 1);
        CommonOps_DDRM.multTransA(probe, Matrices.column(e), p);
        return p.data;
    }
}
