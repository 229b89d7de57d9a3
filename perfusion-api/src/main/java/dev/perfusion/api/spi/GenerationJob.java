package dev.perfusion.api.spi;

import dev.perfusion.api.Concept;
import dev.perfusion.api.Gate;
import dev.perfusion.api.GenerationRequest;
import java.util.List;
import java.util.Objects;

/**
 * A generation request resolved above the SPI, so that every backend serves the same thing: both prompts split
 * into text and concept tokens, and every concept's gates after fidelity resolution.
 *
 * @param request  the request as the caller made it
 * @param prompt   the prompt's parts
 * @param negative the negative prompt's parts
 * @param concepts the request's concepts with the gates to use, in request order
 */
public record GenerationJob(GenerationRequest request, List<PromptPart> prompt, List<PromptPart> negative,
        List<ConceptGates> concepts) {

    public GenerationJob {
        Objects.requireNonNull(request, "request");
        prompt = List.copyOf(prompt);
        negative = List.copyOf(negative);
        concepts = List.copyOf(concepts);
        for (List<PromptPart> parts : List.of(prompt, negative)) {
            for (PromptPart part : parts) {
                if (part instanceof PromptPart.ConceptToken t && (t.concept() < 0 || t.concept() >= concepts.size())) {
                    throw new IllegalArgumentException("prompt refers to concept " + t.concept() + " of "
                            + concepts.size());
                }
            }
        }
    }

    /** A piece of a resolved prompt. */
    public sealed interface PromptPart permits PromptPart.Text, PromptPart.ConceptToken {

        /** Plain text. */
        record Text(String text) implements PromptPart {
            public Text {
                Objects.requireNonNull(text, "text");
            }
        }

        /** The token of concept {@code concept} (an index into {@link GenerationJob#concepts()}). */
        record ConceptToken(int concept) implements PromptPart {
        }
    }

    /**
     * One concept with the gates it is generated with.
     *
     * @param concept the concept
     * @param key     gate of its key edits
     * @param value   gate of its value edits
     */
    public record ConceptGates(Concept concept, Gate key, Gate value) {

        public ConceptGates {
            Objects.requireNonNull(concept, "concept");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Whether either prompt refers to a concept. */
    public boolean usesConcepts() {
        return prompt.stream().anyMatch(PromptPart.ConceptToken.class::isInstance)
                || negative.stream().anyMatch(PromptPart.ConceptToken.class::isInstance);
    }
}
