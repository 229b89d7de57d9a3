package dev.perfusion.core.eval;

import dev.perfusion.Perfusion;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.Judge;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.world.Captions;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.HeldOutConcepts;
import dev.perfusion.core.world.Kind;
import dev.perfusion.core.world.ObjectSpec;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Measures a text-to-image model of the world, and the judge that helps measure it, against the world's truth.
 *
 * <p>The model is asked for held-out captions: scenes of the evaluation stream, never drawn in training, named by
 * their canonical caption; half of them with one object, half with two. Each image is read back by the
 * {@link PixelOracle} (backdrop, object colours, position, relation) and by the judge (the kind of a lone object).
 */
public final class QualityEvaluation {

    /** Check names of {@link #model}. */
    public static final String BACKGROUND = "background colour right";
    public static final String OBJECT_COLOUR = "object colour right";
    public static final String KIND = "object kind recognised by the judge";
    public static final String RELATION = "two-object relation right";
    public static final String POSITION = "lone object's position right";
    public static final String COUNT = "object count right";
    /** Check names of {@link #judge}. */
    public static final String ZERO_SHOT = "judge zero-shot kind accuracy";
    public static final String INSTANCE = "judge ranks a concept's own view first";

    /**
     * How to measure.
     *
     * @param worldSeed the world's seed
     * @param captions  held-out captions, half with one object and half with two
     * @param steps     sampling steps
     * @param guidance  classifier-free guidance scale
     * @param seed      seed of the first image; caption {@code i} uses {@code seed + i}
     */
    public record Settings(long worldSeed, int captions, int steps, double guidance, long seed) {

        public Settings {
            if (captions < 2 || captions % 2 != 0) {
                throw new IllegalArgumentException("captions must be a positive even number, got " + captions);
            }
        }

        /** 200 captions, 25 steps, guidance 7.5, seed 0. */
        public static Settings standard(long worldSeed) {
            return new Settings(worldSeed, 200, 25, 7.5, 0);
        }
    }

    private QualityEvaluation() {
    }

    /** The prompt the judge classifies kinds with. */
    public static String kindPrompt(Kind kind) {
        return "a photo of " + Captions.withArticle(kind.word());
    }

    /** The held-out scenes of an evaluation: {@code captions / 2} with one object, then as many with two. */
    public static List<Scene> scenes(World world, int captions) {
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < captions / 2; i++) {
            scenes.add(world.singleObjectScene(World.Stream.EVALUATION, i));
        }
        for (int i = 0; i < captions / 2; i++) {
            scenes.add(world.twoObjectScene(World.Stream.EVALUATION, i));
        }
        return scenes;
    }

    /**
     * The pictures of an evaluation: what the model generated for each held-out scene's caption.
     *
     * @param scenes the held-out scenes, in order
     * @param images the generated pictures, one per scene, as packed 0xRRGGBB
     * @param size   their side in pixels
     */
    public record Generated(List<Scene> scenes, List<int[]> images, int size) {
    }

    /** Generates an image for every held-out caption and checks it. */
    public static QualityReport model(Perfusion perfusion, Judge judge, Settings settings,
            ProgressListener listener) {
        return score(settings, generate(perfusion, settings, listener), judge);
    }

    /** Generates an image for every held-out caption: caption {@code i} with seed {@code settings.seed() + i}. */
    public static Generated generate(Perfusion perfusion, Settings settings, ProgressListener listener) {
        List<Scene> scenes = scenes(new World(settings.worldSeed()), settings.captions());
        List<int[]> images = new ArrayList<>();
        int size = 0;
        long start = System.nanoTime();
        for (int i = 0; i < scenes.size(); i++) {
            GeneratedImage image = perfusion.generator().prompt(Captions.canonical(scenes.get(i)))
                    .steps(settings.steps()).guidance(settings.guidance()).seed(settings.seed() + i).generate()
                    .images().get(0);
            images.add(image.rgb());
            size = image.width();
            listener.onProgress(new Progress("evaluating", i + 1, scenes.size(), Double.NaN,
                    Duration.ofNanos(System.nanoTime() - start)));
        }
        return new Generated(scenes, images, size);
    }

    /** Checks an evaluation's pictures, titled with its settings. */
    public static QualityReport score(Settings settings, Generated generated, Judge judge) {
        return score(settings, generated, kindConfusion(generated, judge));
    }

    /**
     * Checks an evaluation's pictures, titled with its settings, with the judge's kinds already named: the kind check
     * is {@code kinds}' diagonal, so a caller that also prints the confusion asks the judge once.
     */
    public static QualityReport score(Settings settings, Generated generated, KindConfusion kinds) {
        List<Scene> scenes = generated.scenes();
        int background = 0;
        int colour = 0;
        int count = 0;
        int position = 0;
        int positions = 0;
        int relation = 0;
        int relations = 0;
        for (int i = 0; i < scenes.size(); i++) {
            PixelOracle.Verdict v = PixelOracle.check(scenes.get(i),
                    PixelOracle.read(generated.images().get(i), generated.size()));
            background += v.background() ? 1 : 0;
            colour += v.objectColour() ? 1 : 0;
            count += v.count() ? 1 : 0;
            if (v.position().isPresent()) {
                positions++;
                position += v.position().get() ? 1 : 0;
            }
            if (v.relation().isPresent()) {
                relations++;
                relation += v.relation().get() ? 1 : 0;
            }
        }
        int n = scenes.size();
        String title = "Quality on " + n + " held-out captions (" + settings.steps() + " steps, guidance "
                + settings.guidance() + ")";
        return new QualityReport(title, List.of(
                new Check(BACKGROUND, background, n, OptionalDouble.of(0.9)),
                new Check(OBJECT_COLOUR, colour, n, OptionalDouble.of(0.8)),
                new Check(KIND, kinds.correct(), kinds.total(), OptionalDouble.of(0.7)),
                new Check(RELATION, relation, relations, OptionalDouble.of(0.5)),
                new Check(POSITION, position, positions, OptionalDouble.empty()),
                new Check(COUNT, count, n, OptionalDouble.empty())));
    }

    /**
     * Checks the judge on fresh renders of the world: zero-shot kind accuracy on lone objects, and how often a held-out
     * concept's view is more similar to another view of the same concept than to a view of another instance of its
     * kind.
     */
    public static QualityReport judge(Judge judge, long worldSeed, int renders) {
        World world = new World(worldSeed);
        List<int[]> pictures = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        for (int i = 0; i < renders; i++) {
            Scene scene = world.singleObjectScene(World.Stream.EVALUATION, 100_000 + i);
            pictures.add(Renderer.render(scene, World.SIZE).rgb());
            kinds.add(scene.objects().get(0).spec().kind());
        }
        int zeroShot = correctKinds(judge, pictures, kinds, World.SIZE);
        int ranked = 0;
        int triples = 0;
        for (HeldOutConcept concept : HeldOutConcepts.all()) {
            List<int[]> own = new ArrayList<>();
            List<int[]> others = new ArrayList<>();
            for (int v = 0; v < 12; v++) {
                own.add(Renderer.render(World.alone(concept.spec(), 7_000 + v), World.SIZE).rgb());
                ObjectSpec other = otherInstance(world, concept.spec().kind(), v);
                others.add(Renderer.render(World.alone(other, 9_000 + v), World.SIZE).rgb());
            }
            List<float[]> ownEmbeddings = judge.embedImages(own, World.SIZE);
            List<float[]> otherEmbeddings = judge.embedImages(others, World.SIZE);
            for (int a = 0; a < own.size(); a++) {
                int b = (a + 1) % own.size();
                for (float[] other : otherEmbeddings) {
                    triples++;
                    if (Judge.cosine(ownEmbeddings.get(a), ownEmbeddings.get(b))
                            > Judge.cosine(ownEmbeddings.get(a), other)) {
                        ranked++;
                    }
                }
            }
        }
        return new QualityReport("Judge on fresh renders", List.of(
                new Check(ZERO_SHOT, zeroShot, renders, OptionalDouble.of(0.9)),
                new Check(INSTANCE, ranked, triples, OptionalDouble.of(0.9))));
    }

    /** An instance of {@code kind} from the evaluation stream (never a held-out one). */
    private static ObjectSpec otherInstance(World world, Kind kind, int n) {
        int found = 0;
        for (long i = 0; ; i++) {
            for (var object : world.scene(World.Stream.EVALUATION, 200_000 + i).objects()) {
                if (object.spec().kind() == kind && found++ == n) {
                    return object.spec();
                }
            }
        }
    }

    /** Which kinds the judge names for the generated pictures of the lone-object scenes. */
    public static KindConfusion kindConfusion(Generated generated, Judge judge) {
        List<int[]> lone = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        for (int i = 0; i < generated.scenes().size(); i++) {
            Scene scene = generated.scenes().get(i);
            if (scene.objects().size() == 1) {
                lone.add(generated.images().get(i));
                kinds.add(scene.objects().get(0).spec().kind());
            }
        }
        return KindConfusion.of(judge, lone, kinds, generated.size());
    }

    private static int correctKinds(Judge judge, List<int[]> pictures, List<Kind> truth, int size) {
        return KindConfusion.of(judge, pictures, truth, size).correct();
    }
}
