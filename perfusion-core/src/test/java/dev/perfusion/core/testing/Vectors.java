package dev.perfusion.core.testing;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** Small vector helpers for assertions. */
public final class Vectors {

    private Vectors() {
    }

    public static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /** {@code |a - b| / |b|}. */
    public static double relativeError(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return norm(d) / norm(b);
    }

    public static double[] times(DMatrixRMaj m, double[] v) {
        DMatrixRMaj out = new DMatrixRMaj(m.numRows, 1);
        CommonOps_DDRM.mult(m, new DMatrixRMaj(v.length, 1, true, v), out);
        return out.data;
    }

    /** {@code a^T M b}. */
    public static double bilinear(double[] a, DMatrixRMaj m, double[] b) {
        double[] mb = times(m, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * mb[i];
        }
        return s;
    }

    /** {@code a + k b}. */
    public static double[] plus(double[] a, double k, double[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += k * b[i];
        }
        return out;
    }

    public static double[] scale(double k, double[] a) {
        return plus(new double[a.length], k, a);
    }
}
