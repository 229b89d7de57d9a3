package dev.perfusion.api;

/** The sampler that turns noise into an image, named as in diffusers. */
public enum Scheduler {
    /** DDIM, deterministic (eta 0). */
    DDIM,
    /** Euler, deterministic. */
    EULER,
    /** Euler ancestral: adds fresh noise at every step, driven by the seed. */
    EULER_ANCESTRAL,
    /** DPM-Solver++ 2M: good images in 20 to 30 steps. */
    DPM_SOLVER_PP_2M
}
