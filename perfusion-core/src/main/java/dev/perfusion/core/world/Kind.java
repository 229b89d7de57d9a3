package dev.perfusion.core.world;

import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of object in the world: the supercategories concepts belong to. Each kind is drawn in a unit frame
 * ({@code u} right, {@code v} down, the object within radius about 1) from two shape parameters in [0, 1], so that
 * instances of a kind differ in proportions and parts.
 */
public enum Kind {
    STAR, RING, HEART, BOX, FLOWER, FISH, HOUSE, TREE, CAT;

    /** The word captions use, and the supercategory word of concepts of this kind. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether instances may be drawn turned; the others stand upright. */
    boolean rotates() {
        return this == STAR || this == RING || this == BOX;
    }

    /** The noun phrase of the detail colour, such as "door" in "a house with a red door", where the kind has one. */
    public Optional<String> detailNoun() {
        return switch (this) {
            case HOUSE -> Optional.of("door");
            case FLOWER -> Optional.of("center");
            case CAT -> Optional.of("eyes");
            default -> Optional.empty();
        };
    }

    /** The part at local point (u, v) of an instance with shape parameters p0 and p1. */
    Part partAt(double p0, double p1, double u, double v) {
        return switch (this) {
            case STAR -> star(5 + (int) (p0 * 2.999), 0.38 + 0.22 * p1, u, v) ? Part.BODY : Part.NONE;
            case RING -> {
                double aspect = 0.75 + 0.25 * p1;
                double r = StrictMath.hypot(u, v / aspect);
                yield r <= 1 && r >= 1 - (0.25 + 0.3 * p0) ? Part.BODY : Part.NONE;
            }
            case HEART -> {
                double x = u * 1.22 / (0.85 + 0.15 * p0);
                double y = -v * 1.22 + 0.15 - 0.1 * p1;
                double a = x * x + y * y - 1;
                yield a * a * a - x * x * y * y * y <= 0 ? Part.BODY : Part.NONE;
            }
            case BOX -> {
                double h = 0.55 + 0.35 * p0;
                if (!roundedRect(u, v, 0.9, h, 0.3 * p1)) {
                    yield Part.NONE;
                }
                yield v < -h + 0.35 * h ? Part.SHADE : Part.BODY;
            }
            case FLOWER -> flower(5 + (int) (p0 * 3.999), 0.3 + 0.14 * p1, u, v);
            case FISH -> fish(0.35 + 0.3 * p0, 0.3 + 0.35 * p1, u, v);
            case HOUSE -> house(0.55 + 0.3 * p0, p1 >= 0.5, u, v);
            case TREE -> tree(p0 >= 0.5, 0.55 + 0.2 * p1, u, v);
            case CAT -> cat(0.25 + 0.3 * p0, 0.1 + 0.06 * p1, u, v);
        };
    }

    private static boolean star(int points, double inner, double u, double v) {
        double r = StrictMath.hypot(u, v);
        if (r > 1) {
            return false;
        }
        double sector = 2 * Math.PI / points;
        double angle = StrictMath.atan2(u, -v);
        double phi = angle - sector * Math.floor(angle / sector + 0.5);
        double px = r * StrictMath.cos(phi);
        double py = Math.abs(r * StrictMath.sin(phi));
        // Inside when on the centre's side of the edge from the outer vertex (1, 0) to the inner one.
        double edgeX = inner * StrictMath.cos(sector / 2) - 1;
        double edgeY = inner * StrictMath.sin(sector / 2);
        return edgeX * py - edgeY * (px - 1) >= 0;
    }

    private static boolean roundedRect(double u, double v, double halfWidth, double halfHeight, double corner) {
        double dx = Math.abs(u) - (halfWidth - corner);
        double dy = Math.abs(v) - (halfHeight - corner);
        if (dx <= 0 || dy <= 0) {
            return Math.abs(u) <= halfWidth && Math.abs(v) <= halfHeight;
        }
        return dx * dx + dy * dy <= corner * corner;
    }

    private static Part flower(int petals, double petalRadius, double u, double v) {
        double r = StrictMath.hypot(u, v);
        if (r <= 0.32) {
            return Part.DETAIL;
        }
        for (int i = 0; i < petals; i++) {
            double a = 2 * Math.PI * i / petals;
            double cx = 0.58 * StrictMath.sin(a);
            double cy = -0.58 * StrictMath.cos(a);
            double dx = u - cx;
            double dy = v - cy;
            if (dx * dx + dy * dy <= petalRadius * petalRadius) {
                return Part.BODY;
            }
        }
        return Part.NONE;
    }

    private static Part fish(double height, double tail, double u, double v) {
        double ex = (u - 0.75 * 0.25) / 0.72;
        double ey = v / height;
        if (ex * ex + ey * ey <= 1) {
            double eyeX = u - 0.62;
            double eyeY = v + 0.3 * height;
            return eyeX * eyeX + eyeY * eyeY <= 0.09 * 0.09 ? Part.EYE : Part.BODY;
        }
        if (u <= -0.45 && u >= -0.98) {
            double spread = tail * (-0.45 - u) / 0.53;
            return Math.abs(v) <= spread ? Part.BODY : Part.NONE;
        }
        return Part.NONE;
    }

    private static Part house(double halfWidth, boolean roundDoor, double u, double v) {
        if (v >= -0.15 && v <= 0.95 && Math.abs(u) <= halfWidth) {
            double du = u - 0.12;
            boolean door = Math.abs(du) <= 0.16 && v <= 0.95
                    && (roundDoor ? v >= 0.5 || du * du + (v - 0.5) * (v - 0.5) <= 0.16 * 0.16 : v >= 0.42);
            if (door) {
                return Part.DETAIL;
            }
            boolean window = u >= -halfWidth + 0.12 && u <= -halfWidth + 0.38 && v >= 0.1 && v <= 0.36;
            return window ? Part.WINDOW : Part.BODY;
        }
        if (v >= -0.95 && v < -0.15 && Math.abs(u) <= (halfWidth + 0.15) * (v + 0.95) / 0.8) {
            return Part.SHADE;
        }
        return Part.NONE;
    }

    private static Part tree(boolean pine, double crown, double u, double v) {
        if (pine) {
            if (v >= -1 && v <= 0.45 && Math.abs(u) <= crown * 1.2 * (v + 1) / 1.45) {
                return Part.BODY;
            }
        } else {
            double dy = v + 0.28;
            if (u * u + dy * dy <= crown * crown * 1.3) {
                return Part.BODY;
            }
        }
        return Math.abs(u) <= 0.13 && v >= 0.2 && v <= 1.0 ? Part.TRUNK : Part.NONE;
    }

    private static Part cat(double ears, double eyes, double u, double v) {
        double dy = v - 0.15;
        if (u * u + dy * dy <= 0.72 * 0.72) {
            for (double side : new double[] {-1, 1}) {
                double ex = u - side * 0.28;
                double ey = v - 0.05;
                double e2 = ex * ex + ey * ey;
                if (e2 <= 0.045 * 0.045 + 0.0001) {
                    return Part.EYE;
                }
                if (e2 <= eyes * eyes) {
                    return Part.DETAIL;
                }
            }
            double nx = u;
            double ny = v - 0.33;
            return nx * nx + ny * ny <= 0.07 * 0.07 ? Part.NOSE : Part.BODY;
        }
        for (double side : new double[] {-1, 1}) {
            if (inTriangle(u, v, side * 0.12, -0.35, side * 0.7, -0.05, side * 0.5, -0.45 - ears)) {
                return Part.BODY;
            }
        }
        return Part.NONE;
    }

    private static boolean inTriangle(double px, double py, double ax, double ay, double bx, double by, double cx,
            double cy) {
        double d1 = (px - bx) * (ay - by) - (ax - bx) * (py - by);
        double d2 = (px - cx) * (by - cy) - (bx - cx) * (py - cy);
        double d3 = (px - ax) * (cy - ay) - (cx - ax) * (py - ay);
        boolean negative = d1 < 0 || d2 < 0 || d3 < 0;
        boolean positive = d1 > 0 || d2 > 0 || d3 > 0;
        return !(negative && positive);
    }
}
