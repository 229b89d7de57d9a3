package dev.perfusion.djl;

import ai.djl.ndarray.NDManager;
import dev.perfusion.Perfusion;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.Concept;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.GenerationJob.PromptPart;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.eval.ConceptEvaluation;
import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.HeldOutConcepts;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.concept.ConceptTraining;
import dev.perfusion.djl.pipeline.StableDiffusion;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a trained concept's edit reaches: for each concept file of a held-out concept of the embedded world, its
 * similarity {@code s(e)} to {@code i*} (in the metric of the model's {@code C^{-1}}) at every token of its held-out
 * prompts and of the training templates, with the token after the concept and the largest value off the concept's
 * token summarised. The paper's edit opens its gate wherever {@code s(e)} nears 1, so a later token that encodes the
 * concept as strongly as the concept's own token gets the concept's key and value too (docs/results.md).
 *
 * <p>Run, after {@code mvn -DskipTests install} and the class path of {@link TokenReachReport}, with {@code java -cp
 * ... dev.perfusion.djl.ConceptReachReport <concept files...>}; a few seconds.
 */
public final class ConceptReachReport {

    private static final int PROMPTS = 20;

    private ConceptReachReport() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ConceptReachReport <concept file of a held-out concept>...");
            System.exit(2);
        }
        World world = new World(EmbeddedModel.manifest(ConceptReachReport.class.getClassLoader()).path("world_seed")
                .asLong());
        try (DjlBackend backend = DjlBackend.open(BaseModel.embedded(), BackendOptions.defaults());
                NDManager m = backend.conceptSetup().inverseCovariance().getManager().newSubManager()) {
            ConceptTraining.Setup setup = backend.conceptSetup();
            for (String file : args) {
                Concept concept = Perfusion.loadConcept(Path.of(file));
                HeldOutConcept truth = HeldOutConcepts.named(concept.name()).orElseThrow(() ->
                        new IllegalArgumentException(file + " holds <" + concept.name() + ">, not a held-out concept"));
                List<String> held = ConceptEvaluation.prompts(truth, world, PROMPTS).stream()
                        .map(ConceptEvaluation.HeldOutPrompt::template).toList();
                System.out.printf(Locale.ROOT, "%n<%s> (%s, %s), s(e) to its i* by token ([concept])%n",
                        concept.name(), concept.method().id(), file);
                report("held-out prompts", held, concept, setup, m);
                report("training templates", setup.templates(), concept, setup, m);
            }
        }
    }

    private static void report(String what, List<String> templates, Concept concept, ConceptTraining.Setup setup,
            NDManager m) {
        StableDiffusion model = setup.model();
        List<List<PromptPart>> prompts = templates.stream().map(ConceptTraining::promptParts).toList();
        StableDiffusion.Encoded encoded = model.encode(m, prompts, List.of(m.create(concept.tokenEmbedding())),
                List.of(concept.supercategory()));
        float[] s = TokenReachReport.similarityTo(encoded.hidden(), m.create(concept.conceptInput()).reshape(1, -1),
                setup.inverseCovariance());
        int length = (int) encoded.hidden().getShape().get(1);
        double atConcept = 0;
        double next = 0;
        double elsewhere = Double.NEGATIVE_INFINITY;
        System.out.printf(Locale.ROOT, "  %s%n", what);
        for (int b = 0; b < prompts.size(); b++) {
            int at = encoded.positions()[b][0];
            int end = encoded.ends()[b];
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    %-56s", templates.get(b)));
            for (int t = 0; t <= end; t++) {
                float v = s[b * length + t];
                line.append(String.format(Locale.ROOT, t == at ? " [%.2f]" : " %.2f", v));
                if (t != at && t > 0) {
                    elsewhere = Math.max(elsewhere, v);
                }
            }
            atConcept += s[b * length + at] / prompts.size();
            next += s[b * length + at + 1] / prompts.size();
            System.out.println(line);
        }
        System.out.printf(Locale.ROOT, "    mean s at the concept's token %.3f, at the token after it %.3f; largest "
                + "off the concept's token %.3f%n", atConcept, next, elsewhere);
    }
}
