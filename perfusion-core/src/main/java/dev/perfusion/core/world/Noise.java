package dev.perfusion.core.world;

/** Integer hashing and value noise for textures: pure functions of their arguments, the same on every machine. */
final class Noise {

    private Noise() {
    }

    /** A well-mixed 64-bit hash of the inputs. */
    static long hash(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xC2B2AE3D27D4EB4FL + b * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    /** A uniform value in [0, 1) for the lattice point (a, b). */
    static double unit(long seed, long a, long b) {
        return (hash(seed, a, b) >>> 11) * 0x1.0p-53;
    }

    /** Smooth value noise in [0, 1) at (x, y), bilinear between lattice values with a smoothstep. */
    static double value(long seed, double x, double y) {
        long x0 = (long) Math.floor(x);
        long y0 = (long) Math.floor(y);
        double fx = smooth(x - x0);
        double fy = smooth(y - y0);
        double top = lerp(unit(seed, x0, y0), unit(seed, x0 + 1, y0), fx);
        double bottom = lerp(unit(seed, x0, y0 + 1), unit(seed, x0 + 1, y0 + 1), fx);
        return lerp(top, bottom, fy);
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    private static double lerp(double a, double b, double t) {
        return a + t * (b - a);
    }
}
