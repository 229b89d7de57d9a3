package dev.perfusion.core.eval;

import dev.perfusion.Perfusion;
import dev.perfusion.api.Concept;
import dev.perfusion.api.FidelityControl;
import dev.perfusion.api.Generator;
import dev.perfusion.api.Judge;
import dev.perfusion.api.MultiConceptMode;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.world.Backdrop;
import dev.perfusion.core.world.Captions;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.ObjectSpec;
import dev.perfusion.core.world.PlacedObject;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import dev.perfusion.core.world.WorldColour;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Measures a trained concept of the embedded world on held-out prompts: scenes of the evaluation stream with the
 * concept in the place of their first object, asked for as {@code <name>}. Two measures, as in the paper's:
 *
 * <ul>
 *   <li>likeness: the judge's image similarity of each image to the concept's own views, against the same for the
 *       image the same prompt gives with the supercategory word in the concept's place (same seed);</li>
 *   <li>prompt obedience: the pixel oracle's background and second-object checks.</li>
 * </ul>
 */
public final class ConceptEvaluation {

    private ConceptEvaluation() {
    }

    /**
     * One held-out prompt.
     *
     * @param scene    the scene it asks for, with the concept's instance as its first object
     * @param template the prompt with {@code {}} in the concept's place
     */
    public record HeldOutPrompt(Scene scene, String template) {

        /** The prompt for a concept of this name: {@code <name>} in its place. */
        public String with(String conceptName) {
            return template.replace("{}", "<" + conceptName + ">");
        }

        /** The prompt with a word in the concept's place. */
        public String withWord(String word) {
            return template.replace("{}", word);
        }
    }

    /**
     * The held-out prompts of a concept: half with the concept alone on a backdrop, half beside a second object whose
     * colour the concept does not have; drawn from the evaluation stream, which training never sees.
     */
    public static List<HeldOutPrompt> prompts(HeldOutConcept concept, World world, int count) {
        List<HeldOutPrompt> out = new ArrayList<>();
        ObjectSpec spec = concept.spec();
        for (long i = 0; out.size() < count / 2; i++) {
            Scene scene = world.singleObjectScene(World.Stream.EVALUATION, 50_000 + i);
            if (World.clashes(spec.colour(), scene.backdrop())) {
                continue;
            }
            Scene placed = concept.placedAs(scene);
            out.add(new HeldOutPrompt(placed, "a {} " + placed.backdrop().phrases().get(0)));
        }
        for (long i = 0; out.size() < count; i++) {
            Scene scene = world.twoObjectScene(World.Stream.EVALUATION, 60_000 + i);
            ObjectSpec second = scene.objects().get(1).spec();
            if (World.clashes(spec.colour(), scene.backdrop()) || usesColour(spec, second.colour())) {
                continue;
            }
            Scene placed = concept.placedAs(scene);
            out.add(new HeldOutPrompt(placed, "a {} " + placed.relation().orElseThrow().phrase() + " "
                    + Captions.withArticle(second.colour().word() + " " + second.kind().word()) + " "
                    + placed.backdrop().phrases().get(0)));
        }
        return out;
    }

    private static boolean usesColour(ObjectSpec spec, WorldColour colour) {
        return spec.colour() == colour || spec.accent() == colour || spec.detail() == colour;
    }

    /**
     * What was measured.
     *
     * @param likeness     mean judge similarity to the concept's views, of the concept's images
     * @param generic      the same, of the supercategory word's images for the same prompts and seeds
     * @param likenessWins share of prompts whose concept image is more like the views than the generic one
     * @param margin       {@code likeness - generic} divided by the standard error of the paired differences
     * @param obeyed       share of prompts whose background and second object (where named) pass the oracle
     * @param background   share with the background right
     * @param secondObject share of two-object prompts with the second object's colour present
     * @param images       the concept's images, in prompt order
     */
    public record Result(double likeness, double generic, double likenessWins, double margin, double obeyed,
            double background, double secondObject, List<int[]> images) {

        /** A few lines of figures for people. */
        public String summary() {
            return String.format(Locale.ROOT, "likeness to the concept's views (judge): %.3f for the concept vs %.3f "
                    + "for the supercategory word (%.0f%% of prompts won, margin %.1f standard errors)%n"
                    + "prompt obeyed (oracle: background and second object): %.0f%% (background %.0f%%, second "
                    + "object %.0f%%)", likeness, generic, 100 * likenessWins, margin, 100 * obeyed,
                    100 * background, 100 * secondObject);
        }
    }

    /**
     * Generates every prompt with the concept and with its supercategory word and measures them.
     *
     * @param fidelity the concept's fidelity level; empty for the default
     */
    public static Result run(Perfusion perfusion, Judge judge, HeldOutConcept truth, Concept concept,
            List<HeldOutPrompt> prompts, long seed, Optional<Double> fidelity, ProgressListener listener) {
        List<int[]> views = new ArrayList<>();
        for (var v : truth.views(8, 99, World.SIZE)) {
            views.add(v.rgb());
        }
        float[] reference = mean(judge.embedImages(views, World.SIZE));
        List<int[]> images = new ArrayList<>();
        List<int[]> generic = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < prompts.size(); i++) {
            HeldOutPrompt p = prompts.get(i);
            Generator withConcept = perfusion.generator().prompt(p.with(concept.name())).concepts(concept)
                    .acceptBaselineConcepts(true).seed(seed + i);
            fidelity.ifPresent(f -> withConcept.fidelity(FidelityControl.of(concept, f)));
            images.add(withConcept.generate().images().get(0).rgb());
            generic.add(perfusion.generator().prompt(p.withWord(concept.supercategory())).seed(seed + i).generate()
                    .images().get(0).rgb());
            listener.onProgress(new Progress("evaluating <" + concept.name() + ">", i + 1, prompts.size(),
                    Double.NaN, Duration.ofNanos(System.nanoTime() - start)));
        }
        return score(judge, reference, prompts, images, generic);
    }

    static Result score(Judge judge, float[] reference, List<HeldOutPrompt> prompts, List<int[]> images,
            List<int[]> generic) {
        List<float[]> own = judge.embedImages(images, World.SIZE);
        List<float[]> other = judge.embedImages(generic, World.SIZE);
        double likeness = 0;
        double genericLikeness = 0;
        int wins = 0;
        double[] differences = new double[images.size()];
        int obeyed = 0;
        int background = 0;
        int second = 0;
        int seconds = 0;
        for (int i = 0; i < images.size(); i++) {
            double a = Judge.cosine(own.get(i), reference);
            double b = Judge.cosine(other.get(i), reference);
            likeness += a;
            genericLikeness += b;
            differences[i] = a - b;
            wins += a > b ? 1 : 0;
            Scene scene = prompts.get(i).scene();
            PixelOracle.Reading reading = PixelOracle.read(images.get(i), World.SIZE);
            boolean bg = reading.backdrop() == scene.backdrop();
            background += bg ? 1 : 0;
            boolean ok = bg;
            if (scene.objects().size() > 1) {
                PlacedObject secondObject = scene.objects().get(1);
                boolean present = reading.present(secondObject.spec().colour());
                seconds++;
                second += present ? 1 : 0;
                ok &= present;
            }
            obeyed += ok ? 1 : 0;
        }
        int n = images.size();
        double meanDifference = (likeness - genericLikeness) / n;
        double variance = 0;
        for (double d : differences) {
            variance += (d - meanDifference) * (d - meanDifference);
        }
        double standardError = Math.sqrt(variance / Math.max(1, n - 1) / n);
        return new Result(likeness / n, genericLikeness / n, (double) wins / n,
                standardError == 0 ? 0 : meanDifference / standardError, (double) obeyed / n,
                (double) background / n, seconds == 0 ? 0 : (double) second / seconds, images);
    }

    /**
     * A held-out two-concept prompt.
     *
     * @param template the prompt with {@code {0}} and {@code {1}} in the two concepts' places
     * @param backdrop the backdrop it names
     */
    public record TwoConceptPrompt(String template, Backdrop backdrop) {

        /** The prompt with these words (or {@code <name>}s) in the two places. */
        public String with(String first, String second) {
            return template.replace("{0}", first).replace("{1}", second);
        }
    }

    /**
     * What two concepts in one prompt gave.
     *
     * @param recognised per concept, the share of prompts where it was recognised
     * @param background the share of prompts whose backdrop the pixel oracle reads as the one named
     */
    public record TwoConceptResult(double[] recognised, double background) {

        public TwoConceptResult {
            recognised = recognised.clone();
        }

        @Override
        public double[] recognised() {
            return recognised.clone();
        }
    }

    /**
     * Two concepts in one prompt: for each prompt "a {@code <a>} ... a {@code <b>} ...", whether each concept is more
     * like its own views in the image than in the image of the same prompt with both supercategory words, and whether
     * the backdrop is the one asked for.
     *
     * @param fidelity both concepts' fidelity level; empty for their stored gates
     */
    public static TwoConceptResult twoConcepts(Perfusion perfusion, Judge judge, HeldOutConcept[] truths,
            Concept[] concepts, List<TwoConceptPrompt> prompts, MultiConceptMode mode, Optional<Double> fidelity,
            long seed, ProgressListener listener) {
        float[][] references = new float[2][];
        for (int c = 0; c < 2; c++) {
            List<int[]> views = new ArrayList<>();
            truths[c].views(8, 99, World.SIZE).forEach(v -> views.add(v.rgb()));
            references[c] = mean(judge.embedImages(views, World.SIZE));
        }
        int[] recognised = new int[2];
        int background = 0;
        long start = System.nanoTime();
        for (int i = 0; i < prompts.size(); i++) {
            TwoConceptPrompt prompt = prompts.get(i);
            Generator withConcepts = perfusion.generator()
                    .prompt(prompt.with("<" + concepts[0].name() + ">", "<" + concepts[1].name() + ">"))
                    .concepts(concepts).jointForm(mode).seed(seed + i);
            fidelity.ifPresent(f -> withConcepts.fidelity(FidelityControl.of(concepts[0], f),
                    FidelityControl.of(concepts[1], f)));
            int[] image = withConcepts.generate().images().get(0).rgb();
            int[] generic = perfusion.generator().prompt(prompt.with(concepts[0].supercategory(),
                    concepts[1].supercategory())).seed(seed + i).generate().images().get(0).rgb();
            List<float[]> e = judge.embedImages(List.of(image, generic), World.SIZE);
            for (int c = 0; c < 2; c++) {
                if (Judge.cosine(e.get(0), references[c]) > Judge.cosine(e.get(1), references[c])) {
                    recognised[c]++;
                }
            }
            background += PixelOracle.read(image, World.SIZE).backdrop() == prompt.backdrop() ? 1 : 0;
            listener.onProgress(new Progress("two concepts", i + 1, prompts.size(), Double.NaN,
                    Duration.ofNanos(System.nanoTime() - start)));
        }
        int n = prompts.size();
        return new TwoConceptResult(new double[] {(double) recognised[0] / n, (double) recognised[1] / n},
                (double) background / n);
    }

    /** Held-out two-concept prompts: "a {0} above a {1} on grass", with {0} and {1} the concepts' places. */
    public static List<TwoConceptPrompt> twoConceptTemplates(World world, int count) {
        List<TwoConceptPrompt> out = new ArrayList<>();
        for (long i = 0; out.size() < count; i++) {
            Scene scene = world.twoObjectScene(World.Stream.EVALUATION, 70_000 + i);
            out.add(new TwoConceptPrompt("a {0} " + scene.relation().orElseThrow().phrase() + " a {1} "
                    + scene.backdrop().phrases().get(0), scene.backdrop()));
        }
        return out;
    }

    /** The mean of embeddings. */
    static float[] mean(List<float[]> embeddings) {
        float[] out = new float[embeddings.get(0).length];
        for (float[] e : embeddings) {
            for (int j = 0; j < out.length; j++) {
                out[j] += e[j] / embeddings.size();
            }
        }
        return out;
    }

    /** A render of the world's own instance in a prompt's scene, the ground truth the prompt describes. */
    public static int[] truth(HeldOutPrompt prompt) {
        return Renderer.render(prompt.scene(), World.SIZE).rgb();
    }
}
