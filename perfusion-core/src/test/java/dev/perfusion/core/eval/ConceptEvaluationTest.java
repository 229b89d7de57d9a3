package dev.perfusion.core.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perfusion.core.eval.ConceptEvaluation.HeldOutPrompt;
import dev.perfusion.core.eval.ConceptEvaluation.TwoConceptPrompt;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.HeldOutConcepts;
import dev.perfusion.core.world.ObjectSpec;
import dev.perfusion.core.world.World;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConceptEvaluationTest {

    private final World world = new World(7);

    @Test
    void twoConceptPromptsPutTheFirstConceptBeforeTheSecondAndEndWithTheirBackdrop() {
        List<TwoConceptPrompt> prompts = ConceptEvaluation.twoConceptTemplates(world, 12);

        assertThat(prompts).hasSize(12);
        for (TwoConceptPrompt prompt : prompts) {
            String text = prompt.with("<a>", "<b>");
            assertThat(text).startsWith("a <a> ").doesNotContain("{");
            assertThat(text.indexOf("<b>")).isGreaterThan(text.indexOf("<a>"));
            assertThat(prompt.backdrop().phrases()).anySatisfy(phrase -> assertThat(text).endsWith(" " + phrase));
        }
        assertThat(ConceptEvaluation.twoConceptTemplates(world, 12)).isEqualTo(prompts);
    }

    @Test
    void heldOutPromptsAreHalfAloneAndHalfBesideASecondObjectOfAColourTheConceptLacks() {
        for (HeldOutConcept concept : HeldOutConcepts.all()) {
            List<HeldOutPrompt> prompts = ConceptEvaluation.prompts(concept, world, 10);

            assertThat(prompts).hasSize(10);
            assertThat(prompts.subList(0, 5)).allSatisfy(p -> assertThat(p.scene().objects()).hasSize(1));
            assertThat(prompts.subList(5, 10)).allSatisfy(p -> {
                assertThat(p.scene().objects()).hasSize(2);
                ObjectSpec second = p.scene().objects().get(1).spec();
                assertThat(Arrays.asList(concept.spec().colour(), concept.spec().accent(), concept.spec().detail()))
                        .doesNotContain(second.colour());
                assertThat(p.with(concept.name())).contains(second.colour().word() + " " + second.kind().word());
            });
            assertThat(prompts).allSatisfy(p -> {
                assertThat(World.clashes(concept.spec().colour(), p.scene().backdrop())).isFalse();
                assertThat(p.with(concept.name())).startsWith("a <" + concept.name() + "> ");
                assertThat(p.scene().objects().get(0).spec()).isEqualTo(concept.spec());
            });
        }
    }
}
