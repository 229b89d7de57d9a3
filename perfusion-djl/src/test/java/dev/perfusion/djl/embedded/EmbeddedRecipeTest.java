package dev.perfusion.djl.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.core.world.Kind;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EmbeddedRecipeTest {

    @Test
    void theCandidateRecipesDifferFromTheStandardOneOnlyInTheTextEncodersLosses() {
        EmbeddedRecipe standard = EmbeddedRecipe.standard();

        assertThat(standard.textLosses()).isEqualTo(EmbeddedRecipe.TextLosses.CONTRASTIVE);
        assertThat(EmbeddedRecipe.kindAware().textLosses()).isEqualTo(EmbeddedRecipe.TextLosses.KINDS);
        assertThat(EmbeddedRecipe.swappedKinds().textLosses())
                .isEqualTo(EmbeddedRecipe.TextLosses.KINDS_AND_SWAPPED_KINDS);
        for (EmbeddedRecipe candidate : new EmbeddedRecipe[] {EmbeddedRecipe.kindAware(),
                EmbeddedRecipe.swappedKinds(), EmbeddedRecipe.kindTokens()}) {
            assertThat(candidate.withTextLosses(EmbeddedRecipe.TextLosses.CONTRASTIVE)).isEqualTo(standard);
        }
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
        assertThat(EmbeddedRecipe.named("swapped-kinds")).isEqualTo(EmbeddedRecipe.swappedKinds());
        assertThat(EmbeddedRecipe.named("kind-tokens")).isEqualTo(EmbeddedRecipe.kindTokens());
        assertThatThrownBy(() -> EmbeddedRecipe.named("large"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'large'")
                .hasMessageContaining("standard, kind-aware, swapped-kinds, kind-tokens");
        assertThatThrownBy(() -> EmbeddedRecipe.standard().record("tokenizer"))
                .hasMessageContaining("'tokenizer'");
    }

    @Test
    void everyCommandNamesItsRecipeAndTheDefaultOneIsWhatTheShippedManifestRecords() throws Exception {
        assertThat(EmbeddedTraining.command("standard", java.util.List.of()))
                .endsWith("unet package --work embedded-training --recipe standard\"");
        assertThat(EmbeddedTraining.command("kind-tokens",
                java.util.List.of(EmbeddedTraining.Part.UNET_CONTINUE))).endsWith("unet unet-continue package "
                + "--work embedded-training --recipe kind-tokens\"");
        assertThat(EmbeddedTraining.command("kind-aware", java.util.List.of(EmbeddedTraining.Part.UNET_CONTINUE,
                EmbeddedTraining.Part.UNET_WORDS))).endsWith("unet unet-continue unet-words package "
                + "--work embedded-training --recipe kind-aware\"");
        assertThat(EmbeddedTraining.command("kind-aware", java.util.List.of(EmbeddedTraining.Part.UNET_CONTINUE,
                EmbeddedTraining.Part.UNET_WORDS_END))).endsWith("unet unet-continue unet-words-end package "
                + "--work embedded-training --recipe kind-aware\"");
        assertThatThrownBy(() -> EmbeddedTraining.command("kind-aware",
                java.util.List.of(EmbeddedTraining.Part.JUDGE))).hasMessageContaining("part judge does not continue");
        assertThat(EmbeddedModel.manifest(getClass().getClassLoader()).path("training_command").asText())
                .isEqualTo(EmbeddedTraining.COMMAND);
        assertThat(EmbeddedRecipe.named(EmbeddedTraining.SHIPPED_RECIPE)).isEqualTo(EmbeddedRecipe.kindAware());
    }

    @Test
    void theKindTokenLossLabelsEveryKindWordOfACaptionAndNothingElse() throws Exception {
        ClipTokenizer tokenizer = ClipTokenizer.load(EmbeddedModel.unpack().resolve("tokenizer"));
        World world = new World(EmbeddedRecipe.standard().worldSeed());
        for (int i = 0; i < 200; i++) {
            World.Sample sample = world.sample(i);
            int[] ids = tokenizer.encode(sample.caption());

            List<int[]> found = ContrastiveTraining.kindWordPositions(tokenizer, sample.scene(), ids);

            List<String> named = new ArrayList<>();
            for (String word : sample.caption().split("\\W+")) {
                if (Arrays.stream(Kind.values()).anyMatch(k -> k.word().equals(word))) {
                    named.add(word);
                }
            }
            assertThat(found).as(sample.caption()).hasSameSizeAs(named);
            for (int[] position : found) {
                Kind kind = Kind.values()[position[1]];
                assertThat(tokenizer.decode(new int[] {ids[position[0]]})).as(sample.caption())
                        .isEqualTo(kind.word());
                assertThat(sample.scene().objects()).anyMatch(o -> o.spec().kind() == kind);
            }
        }
    }

    @Test
    void aSwappedCaptionDiffersFromItsCaptionOnlyInOneObjectsKindWord() {
        World world = new World(EmbeddedRecipe.standard().worldSeed());
        List<Scene> scenes = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            World.Sample sample = world.sample(i);
            scenes.add(sample.scene());
            captions.add(sample.caption());
        }

        List<String> swapped = ContrastiveTraining.swapKinds(scenes, captions, new SplittableRandom(5));

        assertThat(ContrastiveTraining.swapKinds(scenes, captions, new SplittableRandom(5))).isEqualTo(swapped);
        Set<String> kindWords = Arrays.stream(Kind.values()).map(Kind::word).collect(Collectors.toSet());
        for (int i = 0; i < captions.size(); i++) {
            String[] before = captions.get(i).split(" ");
            String[] after = swapped.get(i).split(" ");
            assertThat(after).hasSameSizeAs(before);
            List<Integer> changed = new ArrayList<>();
            for (int w = 0; w < before.length; w++) {
                if (!before[w].equals(after[w])) {
                    changed.add(w);
                }
            }
            assertThat(changed).as(captions.get(i)).hasSize(1);
            int w = changed.get(0);
            assertThat(kindWords).contains(before[w], after[w]);
            Set<String> sceneKinds = scenes.get(i).objects().stream().map(o -> o.spec().kind().word())
                    .collect(Collectors.toSet());
            assertThat(sceneKinds).contains(before[w]);
        }
    }

    @Test
    void instanceViewsWithoutTheKindLossAreRefused() {
        EmbeddedRecipe r = EmbeddedRecipe.standard();
        assertThatThrownBy(() -> new ContrastiveTraining.Shapes(r.judgeTextConfig(100), r.judgeImageTower(),
                Set.of(ContrastiveTraining.Extra.INSTANCE_VIEWS))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("INSTANCE_VIEWS needs KINDS");
    }
}
