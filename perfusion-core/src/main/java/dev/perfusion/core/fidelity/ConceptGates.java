package dev.perfusion.core.fidelity;

import dev.perfusion.api.Concept;
import dev.perfusion.api.Gate;

/**
 * The gates one concept is generated with, after fidelity resolution.
 *
 * @param concept the concept
 * @param key     gate of its key edits
 * @param value   gate of its value edits
 */
public record ConceptGates(Concept concept, Gate key, Gate value) {
}
