package dev.perfusion.core.prompt;

import dev.perfusion.api.Concept;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parses prompts that refer to concepts as {@code <name>}: "{@code <tom> sleeping on <armchair>}".
 *
 * <p>A {@code <} followed by a valid concept name and {@code >} is a reference, and must name one of the given
 * concepts. Any other {@code <} is plain text ("a < b", "I <3 cats"); {@code \<} writes a literal {@code <} even
 * before a name, and {@code \\} a backslash.
 */
public final class PromptParser {

    private PromptParser() {
    }

    /**
     * Parses {@code prompt} against the given concepts.
     *
     * @throws UnknownConceptException when a reference names none of them
     */
    public static ConceptPrompt parse(String prompt, Collection<Concept> concepts) {
        Map<String, Concept> byName = new LinkedHashMap<>();
        concepts.forEach(c -> byName.put(c.name(), c));
        List<ConceptPrompt.Segment> segments = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < prompt.length()) {
            char ch = prompt.charAt(i);
            if (ch == '\\' && i + 1 < prompt.length() && (prompt.charAt(i + 1) == '<' || prompt.charAt(i + 1) == '\\')) {
                text.append(prompt.charAt(i + 1));
                i += 2;
                continue;
            }
            int close = ch == '<' ? prompt.indexOf('>', i + 1) : -1;
            if (close > i + 1 && Concept.isValidName(prompt.substring(i + 1, close))) {
                String name = prompt.substring(i + 1, close);
                Concept concept = byName.get(name);
                if (concept == null) {
                    throw new UnknownConceptException(name, "prompt refers to <" + name + "> at position " + i
                            + ", but " + (byName.isEmpty() ? "no concepts were given"
                            : "only " + byName.keySet().stream().map(n -> "<" + n + ">")
                                    .collect(Collectors.joining(", ")) + " were given")
                            + ": \"" + prompt + "\"");
                }
                if (text.length() > 0) {
                    segments.add(new ConceptPrompt.Text(text.toString()));
                    text.setLength(0);
                }
                segments.add(new ConceptPrompt.Reference(concept, i));
                i = close + 1;
            } else {
                text.append(ch);
                i++;
            }
        }
        if (text.length() > 0) {
            segments.add(new ConceptPrompt.Text(text.toString()));
        }
        return new ConceptPrompt(prompt, segments);
    }
}
