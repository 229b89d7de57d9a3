package dev.perfusion.core.world;

/** How an object's body is decorated in its accent colour. */
public enum Pattern {
    PLAIN,
    STRIPES,
    SPOTS
}
