package dev.perfusion.core.world;

/** How the first object of a two-object scene stands to the second. */
public enum Relation {
    ABOVE("above"),
    BELOW("below"),
    LEFT_OF("to the left of"),
    RIGHT_OF("to the right of");

    private final String phrase;

    Relation(String phrase) {
        this.phrase = phrase;
    }

    public String phrase() {
        return phrase;
    }

    /** The relation of the second object to the first. */
    public Relation inverse() {
        return switch (this) {
            case ABOVE -> BELOW;
            case BELOW -> ABOVE;
            case LEFT_OF -> RIGHT_OF;
            case RIGHT_OF -> LEFT_OF;
        };
    }

    /** The relation of a first centre to a second, by the larger of the two offsets (y grows downward). */
    public static Relation between(double x1, double y1, double x2, double y2) {
        double dx = x1 - x2;
        double dy = y1 - y2;
        if (Math.abs(dy) >= Math.abs(dx)) {
            return dy < 0 ? ABOVE : BELOW;
        }
        return dx < 0 ? LEFT_OF : RIGHT_OF;
    }
}
