package dev.perfusion.api;

/** The sampler that turns noise into an image, named as in diffusers (and as "DPM++ 2M Karras" in common tools). */
public enum Scheduler {
    /** DDIM; deterministic at {@code eta} 0 (the default), stochastic above, driven by the seed. */
    DDIM,
    /** Euler, deterministic. */
    EULER,
    /** Euler on Karras et al.'s sigmas ({@code use_karras_sigmas}). */
    EULER_KARRAS,
    /** Euler ancestral: adds fresh noise at every step, driven by the seed. */
    EULER_ANCESTRAL,
    /** DPM-Solver++ 2M: good images in 20 to 30 steps. */
    DPM_SOLVER_PP_2M,
    /** DPM-Solver++ 2M on Karras et al.'s sigmas: "DPM++ 2M Karras". */
    DPM_SOLVER_PP_2M_KARRAS
}
