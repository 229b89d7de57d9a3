package dev.perfusion.core.fidelity;

import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.FidelityCurve;
import dev.perfusion.api.Gate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a request's {@link FidelityControl}s into the gates each concept is generated with: a fidelity level goes
 * through the {@link FidelityCurve} for both the key and the value gate, explicit gates are used as given, and a
 * concept without a control keeps the gates stored with it.
 */
public final class FidelityResolver {

    private final FidelityCurve curve;

    public FidelityResolver() {
        this(FidelityCurve.DEFAULT);
    }

    public FidelityResolver(FidelityCurve curve) {
        this.curve = curve;
    }

    public FidelityCurve curve() {
        return curve;
    }

    /**
     * The gates of every concept, in the order given.
     *
     * @throws IllegalArgumentException when a control names a concept not given, or a concept has two controls
     */
    public List<ConceptGates> resolve(List<Concept> concepts, List<FidelityControl> controls) {
        Map<String, FidelityControl> byConcept = new LinkedHashMap<>();
        for (FidelityControl control : controls) {
            if (concepts.stream().noneMatch(c -> c.name().equals(control.concept()))) {
                throw new IllegalArgumentException("fidelity is set for <" + control.concept()
                        + ">, which is not among the concepts given: "
                        + concepts.stream().map(c -> "<" + c.name() + ">").toList());
            }
            if (byConcept.put(control.concept(), control) != null) {
                throw new IllegalArgumentException("fidelity is set twice for <" + control.concept() + ">");
            }
        }
        List<ConceptGates> out = new ArrayList<>();
        for (Concept concept : concepts) {
            FidelityControl control = byConcept.get(concept.name());
            if (control == null) {
                out.add(new ConceptGates(concept, concept.keyGate(), concept.valueGate()));
            } else if (control instanceof FidelityControl.Level level) {
                Gate gate = curve.gate(level.fidelity());
                out.add(new ConceptGates(concept, gate, gate));
            } else if (control instanceof FidelityControl.Explicit explicit) {
                out.add(new ConceptGates(concept, explicit.key(), explicit.value()));
            }
        }
        return out;
    }
}
