package dev.perfusion.core.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptionsTest {

    private final World world = new World(3);

    @Test
    void theCanonicalCaptionNamesEveryFactTheOraclesCheck() {
        for (long i = 0; i < 300; i++) {
            Scene scene = world.scene(World.Stream.EVALUATION, i);
            String caption = Captions.canonical(scene);
            assertThat(caption).contains(scene.backdrop().phrases().get(0));
            for (PlacedObject o : scene.objects()) {
                assertThat(caption).contains(o.spec().colour().word() + " " + o.spec().kind().word());
            }
            if (scene.relation().isPresent()) {
                assertThat(caption).contains(" " + scene.relation().get().phrase() + " ");
            } else {
                assertThat(caption).contains(scene.objects().get(0).region().phrase());
            }
        }
    }

    @Test
    void variedCaptionsNeverContradictTheScene() {
        for (long i = 0; i < 1000; i++) {
            World.Sample sample = world.sample(i);
            Scene scene = sample.scene();
            String objectWords = sample.caption();
            for (String phrase : scene.backdrop().phrases()) {
                objectWords = objectWords.replace(phrase, "");
            }
            for (WorldColour c : WorldColour.values()) {
                boolean named = objectWords.matches(".*\\b" + c.word() + "\\b.*");
                boolean inScene = scene.objects().stream().anyMatch(o -> o.spec().colour() == c
                        || o.spec().accent() == c || o.spec().detail() == c);
                if (named) {
                    assertThat(inScene).as("'%s' names %s", sample.caption(), c).isTrue();
                }
            }
            for (Kind k : Kind.values()) {
                if (sample.caption().matches(".*\\b" + k.word() + "\\b.*")) {
                    assertThat(scene.objects()).as(sample.caption()).anyMatch(o -> o.spec().kind() == k);
                }
            }
        }
    }

    @Test
    void colourOptionalCaptionsLeaveOutColoursAtTheirChanceAndNamingEveryColourKeepsTheOldPhrasing() {
        int objects = 0;
        int named = 0;
        for (long i = 0; i < 2000; i++) {
            assertThat(world.sample(i, 1)).isEqualTo(world.sample(i));
            World.Sample sample = world.sample(i, 0.7);
            World.Sample none = world.sample(i, 0);
            assertThat(sample.scene()).isEqualTo(world.sample(i).scene());
            for (PlacedObject o : sample.scene().objects()) {
                String kind = o.spec().kind().word();
                assertThat(none.caption()).as(none.caption()).doesNotContainPattern(
                        "\\b" + o.spec().colour().word() + " (striped |spotted )?" + kind + "\\b");
                objects++;
                if (sample.caption().matches(".*\\b" + o.spec().colour().word() + " (striped |spotted )?" + kind
                        + "\\b.*")) {
                    named++;
                }
            }
        }
        assertThat((double) named / objects).as("share of objects whose colour is named").isBetween(0.65, 0.75);
    }

    @Test
    void aSceneHasManyPhrasings() {
        Set<String> captions = new HashSet<>();
        Scene scene = world.scene(World.Stream.TRAINING, 5);
        for (int seed = 0; seed < 200; seed++) {
            captions.add(Captions.varied(scene, new java.util.SplittableRandom(seed)));
        }
        assertThat(captions).hasSizeGreaterThan(10);
    }

    @Test
    void articlesFollowTheSound() {
        assertThat(Captions.withArticle("orange star")).isEqualTo("an orange star");
        assertThat(Captions.withArticle("red star")).isEqualTo("a red star");
    }
}
