package dev.perfusion.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.BaseModel;
import dev.perfusion.api.spi.BackendOptions;
import dev.perfusion.api.spi.GenerationJob.PromptPart;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.concept.ConceptTraining;
import dev.perfusion.djl.pipeline.StableDiffusion;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.unet.TextConditioning;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a concept's edit reaches and where the embedded model looks, the two measurements behind
 * {@code EditScope.CONCEPT_TOKEN} in docs/perfusion-training.md: for each supercategory word, the similarity
 * {@code s(e)} of every token of a few prompts to the word's own encoding {@code i_s}, in the metric of the model's
 * {@code C^{-1}}; and, on held-out captions of the world with their rendered pictures noised to several timesteps, the
 * share of every cross-attention layer's attention that goes to the object's word, the word after it, the start token,
 * the other words, the end token and the padding.
 *
 * <p>Run, after {@code mvn -DskipTests install}, with {@code mvn -q -o -pl perfusion-djl dependency:build-classpath
 * -Dmdep.outputFile=/tmp/djl-test.cp -Dmdep.includeScope=test} and then {@code java -cp
 * perfusion-djl/target/classes:perfusion-djl/target/test-classes:$(cat /tmp/djl-test.cp)
 * dev.perfusion.djl.TokenReachReport [words...]}; a few seconds.
 */
public final class TokenReachReport {

    private static final List<String> TEMPLATES = List.of("a {} on grass", "a {} next to a red ball on sand",
            "a photo of a {}", "a small {} under a tree in snow", "there is a large {} in the city");
    private static final int CAPTIONS = 24;
    private static final int[] TIMESTEPS = {100, 400, 700, 950};

    private TokenReachReport() {
    }

    public static void main(String[] args) throws Exception {
        try (DjlBackend backend = DjlBackend.open(BaseModel.embedded(), BackendOptions.defaults());
                NDManager m = backend.conceptSetup().inverseCovariance().getManager().newSubManager()) {
            ConceptTraining.Setup setup = backend.conceptSetup();
            StableDiffusion model = setup.model();
            for (String word : args.length > 0 ? List.of(args) : List.of("house", "fish", "flower")) {
                similarities(model, setup.inverseCovariance(), word, m);
            }
            attention(model, m);
        }
    }

    private static void similarities(StableDiffusion model, NDArray inverse, String word, NDManager m) {
        List<List<PromptPart>> prompts = TEMPLATES.stream().map(ConceptTraining::promptParts).toList();
        StableDiffusion.Encoded encoded = model.encode(m, prompts, null, List.of(word));
        NDArray hidden = encoded.hidden();
        int length = (int) hidden.getShape().get(1);
        NDArray atWord = null;
        for (int b = 0; b < prompts.size(); b++) {
            NDArray row = hidden.get(b + "," + encoded.positions()[b][0]);
            atWord = atWord == null ? row : atWord.add(row);
        }
        float[] s = similarityTo(hidden, atWord.div(prompts.size()).reshape(1, -1), inverse);
        System.out.printf(Locale.ROOT, "%nsimilarity s(e) to i_s of \"%s\" by token position ([word], last = the "
                + "77th token)%n", word);
        for (int b = 0; b < prompts.size(); b++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-34s",
                    TEMPLATES.get(b).replace("{}", word)));
            for (int t = 0; t < 16; t++) {
                String cell = String.format(Locale.ROOT, "%5.2f", s[b * length + t]);
                line.append(t == encoded.positions()[b][0] ? " [" + cell.strip() + "]" : " " + cell);
            }
            line.append(String.format(Locale.ROOT, "  ... last %5.2f", s[b * length + length - 1]));
            System.out.println(line);
        }
    }

    /**
     * {@code s(e)} of every row of {@code hidden} (batch, tokens, width) to {@code reference} (1, width) in the metric
     * of {@code inverse}, {@code C^{-1}}: {@code e^T C^{-1} r / r^T C^{-1} r}, flattened batch-major.
     */
    static float[] similarityTo(NDArray hidden, NDArray reference, NDArray inverse) {
        NDArray probe = reference.matMul(inverse).transpose();
        float energy = reference.matMul(probe).getFloat();
        return hidden.matMul(probe).div(energy).toFloatArray();
    }

    private static void attention(StableDiffusion model, NDManager m) throws java.io.IOException {
        World world = new World(EmbeddedModel.manifest(TokenReachReport.class.getClassLoader()).path("world_seed")
                .asLong());
        List<List<PromptPart>> prompts = new ArrayList<>();
        List<int[]> pictures = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (long i = 0; prompts.size() < CAPTIONS; i++) {
            World.Sample sample = world.sample(1_000_000 + i);
            String word = sample.scene().objects().get(0).spec().kind().word();
            String caption = sample.caption();
            int at = (" " + caption + " ").indexOf(" " + word + " ");
            if (at < 0) {
                continue;
            }
            String template = caption.substring(0, at) + "{}" + caption.substring(at + word.length());
            prompts.add(ConceptTraining.promptParts(template));
            words.add(word);
            pictures.add(Renderer.render(sample.scene(), World.SIZE).rgb());
        }
        List<NDArray> rows = new ArrayList<>();
        int[] wordAt = new int[CAPTIONS];
        int[] endAt = new int[CAPTIONS];
        for (int b = 0; b < CAPTIONS; b++) {
            StableDiffusion.Encoded e = model.encode(m, List.of(prompts.get(b)), null, List.of(words.get(b)));
            rows.add(e.hidden());
            wordAt[b] = e.positions()[0][0];
            endAt[b] = e.ends()[0];
        }
        NDArray context = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(rows), 0);
        NDArray latents = model.vae().encode(Images.batch(m, pictures, World.SIZE)).mean()
                .mul(model.vae().scalingFactor());
        System.out.printf(Locale.ROOT, "%nshare of cross-attention (mean over %d held-out captions, heads and "
                + "queries): object word / the token after it / start / other words / end / padding%n", CAPTIONS);
        for (int t : TIMESTEPS) {
            double a = model.schedule().alphaCumprod(t);
            NDArray noise = NoiseSource.seeded(t).next(m, latents.getShape());
            NDArray noisy = latents.mul((float) Math.sqrt(a)).add(noise.mul((float) Math.sqrt(1 - a)));
            Map<String, double[]> shares = new LinkedHashMap<>();
            try (TextConditioning text = TextConditioning.observed(context, Map.of(),
                    (layer, weights) -> shares.put(layer, shares(weights, wordAt, endAt))).withEnds(endAt)) {
                model.unet().forward(noisy, m.full(new Shape(CAPTIONS), (float) t), text);
            }
            System.out.printf(Locale.ROOT, "  timestep %d%n", t);
            shares.forEach((layer, r) -> System.out.printf(Locale.ROOT,
                    "    %-54s %.3f / %.3f / %.3f / %.3f / %.3f / %.3f%n", layer, r[0], r[1], r[2], r[3], r[4],
                    r[5]));
        }
    }

    private static double[] shares(NDArray weights, int[] wordAt, int[] endAt) {
        float[] perToken = weights.mean(new int[] {1}).mean(new int[] {1}).toFloatArray();
        int length = perToken.length / wordAt.length;
        double[] r = new double[6];
        for (int b = 0; b < wordAt.length; b++) {
            for (int t = 0; t < length; t++) {
                boolean after = t == wordAt[b] + 1 && t < endAt[b];
                int kind = t == wordAt[b] ? 0 : after ? 1 : t == 0 ? 2 : t < endAt[b] ? 3 : t == endAt[b] ? 4 : 5;
                r[kind] += perToken[b * length + t] / wordAt.length;
            }
        }
        return r;
    }
}
