package dev.perfusion.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.Concept;
import dev.perfusion.core.testing.SampleConcepts;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptParserTest {

    private final Concept tom = SampleConcepts.sd15("tom", 1);
    private final Concept armchair = SampleConcepts.sd15("armchair", 2).toBuilder().supercategory("chair").build();

    @Test
    void referencesAreResolvedAndRenderedAsSupercategories() {
        ConceptPrompt p = PromptParser.parse("<tom> sleeping on <armchair>, <tom> again", List.of(tom, armchair));

        assertThat(p.referenced()).containsExactly(tom, armchair);
        assertThat(p.withSupercategories()).isEqualTo("cat sleeping on chair, cat again");
        assertThat(p.render(c -> "[" + c.name() + "]")).isEqualTo("[tom] sleeping on [armchair], [tom] again");
        assertThat(p.segments()).hasSize(6);
        assertThat(((ConceptPrompt.Reference) p.segments().get(2)).offset()).isEqualTo(18);
    }

    @Test
    void unknownReferencesAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> PromptParser.parse("a photo of <bob>", List.of(tom, armchair)))
                .isInstanceOf(UnknownConceptException.class)
                .hasMessageContaining("<bob> at position 11")
                .hasMessageContaining("only <tom>, <armchair> were given");
        assertThatThrownBy(() -> PromptParser.parse("<tom>", List.of()))
                .hasMessageContaining("no concepts were given");
    }

    @Test
    void anglesThatAreNotReferencesStayText() {
        ConceptPrompt p = PromptParser.parse("a < b and I <3 cats, <not a name> <tom", List.of(tom));
        assertThat(p.referenced()).isEmpty();
        assertThat(p.withSupercategories()).isEqualTo("a < b and I <3 cats, <not a name> <tom");
    }

    @Test
    void escapedAnglesAndBackslashesAreLiteral() {
        ConceptPrompt p = PromptParser.parse("\\<tom> is \\\\<tom>", List.of(tom));
        assertThat(p.withSupercategories()).isEqualTo("<tom> is \\cat");
        assertThat(p.referenced()).containsExactly(tom);
    }

    @Test
    void namesAreCaseSensitive() {
        assertThatThrownBy(() -> PromptParser.parse("<Tom>", List.of(tom))).hasMessageContaining("<Tom>");
    }
}
