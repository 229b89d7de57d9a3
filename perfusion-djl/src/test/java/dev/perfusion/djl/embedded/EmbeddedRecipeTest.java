package dev.perfusion.djl.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class EmbeddedRecipeTest {

    @Test
    void theKindAwareRecipeDiffersFromTheStandardOneOnlyInTheTextEncodersKindLoss() {
        EmbeddedRecipe standard = EmbeddedRecipe.standard();
        EmbeddedRecipe kindAware = EmbeddedRecipe.kindAware();

        assertThat(standard.textEncoderKinds()).isFalse();
        assertThat(kindAware.textEncoderKinds()).isTrue();
        assertThat(new EmbeddedRecipe(kindAware.worldSeed(), kindAware.imageSize(), kindAware.vae(),
                kindAware.textEncoder(), kindAware.unet(), kindAware.judge(), false)).isEqualTo(standard);
    }

    @Test
    void aPartsCheckpointRecordChangesOnlyWithWhatDefinesThatPart() {
        EmbeddedRecipe standard = EmbeddedRecipe.standard();
        EmbeddedRecipe kindAware = EmbeddedRecipe.kindAware();

        assertThat(kindAware.record("text-encoder")).isNotEqualTo(standard.record("text-encoder"));
        for (String part : new String[] {"vae", "unet", "judge"}) {
            assertThat(kindAware.record(part)).as(part).isEqualTo(standard.record(part));
        }
        JsonNode unet = standard.record("unet");
        assertThat(unet.get("part").asText()).isEqualTo("unet");
        assertThat(unet.get("part_recipe").get("seed").asLong()).isEqualTo(standard.unet().seed());
        assertThat(standard.scaled(0.01).record("unet")).isNotEqualTo(unet);
    }

    @Test
    void recipesAreNamedAndAnUnknownNameListsTheKnownOnes() {
        assertThat(EmbeddedRecipe.named("standard")).isEqualTo(EmbeddedRecipe.standard());
        assertThat(EmbeddedRecipe.named("kind-aware")).isEqualTo(EmbeddedRecipe.kindAware());
        assertThatThrownBy(() -> EmbeddedRecipe.named("large"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'large'")
                .hasMessageContaining("standard, kind-aware");
        assertThatThrownBy(() -> EmbeddedRecipe.standard().record("tokenizer"))
                .hasMessageContaining("'tokenizer'");
    }

    @Test
    void theCommandOfANonStandardRecipeNamesIt() {
        assertThat(EmbeddedTraining.command("standard")).isEqualTo(EmbeddedTraining.COMMAND)
                .doesNotContain("--recipe");
        assertThat(EmbeddedTraining.command("kind-aware")).endsWith("--work embedded-training --recipe kind-aware\"");
    }

    @Test
    void instanceViewsWithoutTheKindLossAreRefused() {
        EmbeddedRecipe r = EmbeddedRecipe.standard();
        assertThatThrownBy(() -> new ContrastiveTraining.Shapes(r.judgeTextConfig(100), r.judgeImageTower(), false,
                true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("instanceViews needs kinds");
    }
}
