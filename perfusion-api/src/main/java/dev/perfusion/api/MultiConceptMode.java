package dev.perfusion.api;

/**
 * How the component of an input along several concepts is removed before their gated targets are added
 * (Appendix B of the paper).
 */
public enum MultiConceptMode {
    /**
     * Projects the input onto the {@code C^{-1}}-orthogonal complement of the span of all {@code i*}, so the
     * concepts' removals do not interfere. Every concept reaches its own target exactly.
     */
    EXACT,
    /**
     * Removes each concept's component separately, {@code e - sum_c s_c(e) i*_c}: the reference implementation's
     * default, equal to {@link #EXACT} when the {@code i*} are {@code C^{-1}}-orthogonal.
     */
    APPROXIMATE
}
