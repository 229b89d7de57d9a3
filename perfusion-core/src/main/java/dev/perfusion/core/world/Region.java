package dev.perfusion.core.world;

/** Where in the picture a lone object stands, as captions say it. */
public enum Region {
    LEFT("on the left"),
    RIGHT("on the right"),
    TOP("at the top"),
    BOTTOM("at the bottom"),
    CENTER("in the center");

    private final String phrase;

    Region(String phrase) {
        this.phrase = phrase;
    }

    public String phrase() {
        return phrase;
    }

    /**
     * The region a centre (in [0, 1] of the picture's side) is read as: the centre square, or the side it lies
     * furthest toward.
     */
    public static Region of(double x, double y) {
        double dx = x - 0.5;
        double dy = y - 0.5;
        if (Math.abs(dx) < 0.12 && Math.abs(dy) < 0.12) {
            return CENTER;
        }
        if (Math.abs(dx) >= Math.abs(dy)) {
            return dx < 0 ? LEFT : RIGHT;
        }
        return dy < 0 ? TOP : BOTTOM;
    }
}
