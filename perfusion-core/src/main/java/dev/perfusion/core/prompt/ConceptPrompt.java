package dev.perfusion.core.prompt;

import dev.perfusion.api.Concept;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A prompt split into plain text and references to concepts, as parsed by {@link PromptParser}.
 *
 * @param source   the prompt as written
 * @param segments the text and concept references, in order
 */
public record ConceptPrompt(String source, List<Segment> segments) {

    /** A piece of a parsed prompt. */
    public sealed interface Segment permits Text, Reference {
    }

    /** Plain text, with escapes resolved. */
    public record Text(String text) implements Segment {
    }

    /**
     * A reference such as {@code <tom>}.
     *
     * @param concept the concept referred to
     * @param offset  where the reference starts in the source
     */
    public record Reference(Concept concept, int offset) implements Segment {
    }

    public ConceptPrompt {
        segments = List.copyOf(segments);
    }

    /** The concepts referred to, in order of first appearance. */
    public List<Concept> referenced() {
        Set<Concept> seen = new LinkedHashSet<>();
        for (Segment s : segments) {
            if (s instanceof Reference r) {
                seen.add(r.concept());
            }
        }
        return List.copyOf(seen);
    }

    /** The prompt with each reference replaced by {@code replacement} of its concept. */
    public String render(Function<Concept, String> replacement) {
        StringBuilder out = new StringBuilder();
        for (Segment s : segments) {
            if (s instanceof Text t) {
                out.append(t.text());
            } else if (s instanceof Reference r) {
                out.append(replacement.apply(r.concept()));
            }
        }
        return out.toString();
    }

    /**
     * The prompt with each concept replaced by its supercategory word: what a base model without the concept would
     * be asked, and the text that text-similarity is measured against.
     */
    public String withSupercategories() {
        return render(Concept::supercategory);
    }
}
