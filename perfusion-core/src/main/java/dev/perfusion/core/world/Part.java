package dev.perfusion.core.world;

/** What a point of an object belongs to, which decides its colour. */
enum Part {
    /** Outside the object. */
    NONE,
    /** The main surface, in the object's colour and pattern. */
    BODY,
    /** A darker shade of the object's colour (a roof, a lid). */
    SHADE,
    /** The object's detail colour (a door, a flower's centre, a cat's eyes). */
    DETAIL,
    /** Fixed brown (a tree's trunk). */
    TRUNK,
    /** Fixed near-black (eyes, pupils). */
    EYE,
    /** Fixed pink (a cat's nose). */
    NOSE,
    /** Fixed pale blue (a window). */
    WINDOW
}
