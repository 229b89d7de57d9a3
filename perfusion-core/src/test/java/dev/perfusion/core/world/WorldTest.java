package dev.perfusion.core.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorldTest {

    private final World world = new World(7);

    @Test
    void theSameSeedAndIndexGiveTheSameSceneCaptionAndPixels() {
        for (long i = 0; i < 20; i++) {
            World.Sample a = world.sample(i);
            World.Sample b = new World(7).sample(i);
            assertThat(b).isEqualTo(a);
            assertThat(Renderer.render(b.scene(), 64).rgb()).isEqualTo(Renderer.render(a.scene(), 64).rgb());
        }
        assertThat(new World(8).sample(0).scene()).isNotEqualTo(world.sample(0).scene());
    }

    @Test
    void trainingAndEvaluationStreamsDoNotShareScenes() {
        Set<Scene> training = new HashSet<>();
        for (long i = 0; i < 500; i++) {
            training.add(world.scene(World.Stream.TRAINING, i));
        }
        for (long i = 0; i < 500; i++) {
            assertThat(training).doesNotContain(world.scene(World.Stream.EVALUATION, i));
        }
    }

    @Test
    void noSceneOfEitherStreamResemblesAHeldOutConcept() {
        for (World.Stream stream : World.Stream.values()) {
            for (long i = 0; i < 3000; i++) {
                for (PlacedObject o : world.scene(stream, i).objects()) {
                    assertThat(HeldOutConcepts.resemblesAny(o.spec())).as("%s scene %d: %s", stream, i, o.spec())
                            .isFalse();
                }
            }
        }
    }

    @Test
    void masksCoverExactlyThePixelsTheObjectsChanged() {
        for (long i = 0; i < 50; i++) {
            Scene scene = world.scene(World.Stream.TRAINING, i);
            Rendering r = Renderer.render(scene, 64);
            Rendering bare = Renderer.render(new Scene(scene.backdrop(), scene.objects(), scene.relation(),
                    scene.texture()), 64);
            float[] union = r.objectMask();
            for (int p = 0; p < union.length; p++) {
                assertThat(union[p]).isBetween(0f, 1.0001f);
            }
            for (int o = 0; o < scene.objects().size(); o++) {
                int[] box = r.boxes().get(o);
                Placement pl = scene.objects().get(o).placement();
                assertThat(box[0]).as("box left of the centre").isLessThanOrEqualTo((int) pl.x());
                assertThat(box[2]).as("box right of the centre").isGreaterThanOrEqualTo((int) pl.x() - 1);
                assertThat(box[2] - box[0] + 1).as("box width within the object's extent")
                        .isLessThanOrEqualTo((int) Math.ceil(3 * pl.radius()));
            }
            assertThat(bare.rgb()).isEqualTo(r.rgb());
        }
    }

    @Test
    void aLoneObjectStandsInItsRegionAndAPairInItsRelation() {
        for (long i = 0; i < 2000; i++) {
            Scene scene = world.scene(World.Stream.TRAINING, i);
            List<PlacedObject> objects = scene.objects();
            for (PlacedObject o : objects) {
                Placement p = o.placement();
                assertThat(p.x() - p.radius()).as("inside the picture").isGreaterThanOrEqualTo(0);
                assertThat(p.y() + p.radius()).as("inside the picture").isLessThanOrEqualTo(World.SIZE);
            }
            if (objects.size() == 2) {
                Placement a = objects.get(0).placement();
                Placement b = objects.get(1).placement();
                assertThat(Relation.between(a.x(), a.y(), b.x(), b.y())).isEqualTo(scene.relation().orElseThrow());
                assertThat(Math.hypot(a.x() - b.x(), a.y() - b.y())).as("apart")
                        .isGreaterThan(a.radius() + b.radius());
            }
        }
    }

    @Test
    void picturesCanBeDrawnAtOtherSizesWithTheSameLayout() {
        Scene scene = world.scene(World.Stream.TRAINING, 3);
        Rendering small = Renderer.render(scene, 32);
        Rendering large = Renderer.render(scene, 128);
        int[] s = small.boxes().get(0);
        int[] l = large.boxes().get(0);
        for (int k = 0; k < 4; k++) {
            assertThat(Math.abs(l[k] / 4.0 - s[k])).isLessThanOrEqualTo(1.5);
        }
    }

    @Test
    void viewsOfAnInstanceAreTheSameInEveryProcess() {
        // Recorded once; enums' identity hash codes differ between processes, so a seed built from them would not.
        ObjectSpec spec = HeldOutConcepts.named("nemo").orElseThrow().spec();
        Scene scene = World.alone(spec, 5);
        assertThat(scene.backdrop()).isEqualTo(Backdrop.NIGHT);
        assertThat(scene.objects().get(0).size()).isEqualTo(SizeClass.LARGE);
        assertThat(scene.objects().get(0).placement().x()).isEqualTo(26.792871533285727);
        assertThat(scene.texture()).isEqualTo(5657772537728387299L);
        assertThat(World.alone(spec, 6)).isNotEqualTo(scene);
    }
}
