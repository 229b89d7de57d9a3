package dev.perfusion.djl.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.perfusion.core.io.Folders;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.djl.pipeline.StableDiffusion;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import dev.perfusion.djl.weights.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A UNet whose config says it reads only the words ({@code cross_attention_span: words}) on the fixture weights:
 * attention over the start token and the words is a softmax over those keys alone, so it must equal the same
 * weights reading every position of a context cut off at the end token. One that reads the end token too
 * ({@code words_and_end}) must equal them reading a context cut off just after it.
 */
class CrossAttentionSpanTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static final int[] ENDS = {5, 9};

    private static UNet2DConditionModel everything;
    private static UNet2DConditionModel words;
    private static UNet2DConditionModel wordsAndEnd;
    private static NDArray latents;
    private static NDArray timesteps;
    private static NDArray context;

    @BeforeAll
    static void load() throws IOException {
        Path folder = Fixtures.MODEL.resolve("unet");
        UNetConfig config = UNetConfig.read(folder.resolve("config.json"));
        Path weights = WeightStore.componentFile(folder, "diffusion_pytorch_model");
        everything = UNet2DConditionModel.load(config, weights, ENGINE.manager(), KeyMap.prefixed(""));
        words = UNet2DConditionModel.load(config.withCrossAttentionSpan(CrossAttentionSpan.WORDS), weights,
                ENGINE.manager(), KeyMap.prefixed(""));
        wordsAndEnd = UNet2DConditionModel.load(config.withCrossAttentionSpan(CrossAttentionSpan.WORDS_AND_END),
                weights, ENGINE.manager(), KeyMap.prefixed(""));
        try (SafeTensorsReader ref = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("unet.safetensors"))) {
            latents = twoRows(ref, "latents");
            timesteps = twoRows(ref, "timesteps");
            context = twoRows(ref, "encoder_hidden_states");
        }
    }

    @AfterAll
    static void close() throws IOException {
        wordsAndEnd.close();
        words.close();
        everything.close();
    }

    @Test
    void readingOnlyTheWordsEqualsReadingAContextCutOffAtTheEndToken() throws IOException {
        assertReadsAContextCutOffAt(words, ENDS);
    }

    @Test
    void readingTheWordsAndTheEndTokenEqualsReadingAContextCutOffJustAfterIt() throws IOException {
        assertReadsAContextCutOffAt(wordsAndEnd, new int[] {ENDS[0] + 1, ENDS[1] + 1});
        assertThat(Fixtures.maxRelativeError(readingWords(context), forward(wordsAndEnd, context)))
                .as("reading the end token differs from leaving it out").isGreaterThan(1e-3);
    }

    /** Asserts that {@code unet} on the fixture rows equals the full-span UNet reading each row's first positions. */
    private static void assertReadsAContextCutOffAt(UNet2DConditionModel unet, int[] cuts) {
        NDArray masked = forward(unet, context);
        for (int b = 0; b < cuts.length; b++) {
            NDArray cut = context.get(b + ":" + (b + 1) + ", :" + cuts[b]);
            NDArray expected = everything.forward(latents.get(b + ":" + (b + 1)),
                    timesteps.get(b + ":" + (b + 1)), cut);
            assertThat(Fixtures.maxRelativeError(masked.get(b + ":" + (b + 1)), expected))
                    .as("row %d against the first %d positions read in full", b, cuts[b]).isLessThan(1e-4);
        }
        assertThat(Fixtures.maxRelativeError(masked, everything.forward(latents, timesteps, context)))
                .as("the full context read in full differs").isGreaterThan(1e-3);
    }

    @Test
    void theEndTokenAndThePaddingCannotChangeTheResult() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            float[] keep = new float[(int) context.getShape().get(0) * (int) context.getShape().get(1)];
            int tokens = (int) context.getShape().get(1);
            for (int b = 0; b < ENDS.length; b++) {
                java.util.Arrays.fill(keep, b * tokens, b * tokens + ENDS[b], 1f);
            }
            NDArray scrambled = context.mul(m.create(keep, new ai.djl.ndarray.types.Shape(2, tokens, 1)))
                    .add(m.randomNormal(context.getShape()).mul(m.create(keep, new ai.djl.ndarray.types.Shape(2,
                            tokens, 1)).neg().add(1)).mul(5));
            assertThat(Fixtures.maxRelativeError(readingWords(scrambled),
                    readingWords(context))).isLessThan(1e-5);
        }
    }

    @Test
    void explicitAttentionHidesTheSamePositionsAsTheFusedKernel() throws IOException {
        List<Float> hidden = new ArrayList<>();
        NDArray observed;
        try (TextConditioning text = TextConditioning.observed(context, Map.of(), (layer, weights) -> {
            for (int b = 0; b < ENDS.length; b++) {
                hidden.add(weights.get(b + ", :, :, " + ENDS[b] + ":").sum().getFloat());
            }
        }).withEnds(ENDS)) {
            observed = words.forward(latents, timesteps, text);
        }
        assertThat(hidden).isNotEmpty().allSatisfy(w -> assertThat(w).isZero());
        assertThat(Fixtures.maxRelativeError(observed, readingWords(context))).isLessThan(1e-4);
    }

    @Test
    void aUNetThatReadsOnlyWordsRefusesTextWithoutEndPositions() {
        assertThatThrownBy(() -> words.forward(latents, timesteps, context))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cross_attention_span 'words'")
                .hasMessageContaining("withEnds");
        assertThatThrownBy(() -> TextConditioning.of(context).withEnds(new int[] {5}))
                .hasMessageContaining("end positions for 1 prompts, but the text encodings have 2 rows");
    }

    /** The words-only UNet on the fixture latents and timesteps, reading {@code encodings}. */
    private static NDArray readingWords(NDArray encodings) {
        return forward(words, encodings);
    }

    /** {@code unet} on the fixture latents and timesteps, reading {@code encodings} whose end tokens are at ENDS. */
    private static NDArray forward(UNet2DConditionModel unet, NDArray encodings) {
        try (TextConditioning text = TextConditioning.of(encodings).withEnds(ENDS)) {
            return unet.forward(latents, timesteps, text);
        }
    }

    /** Two rows of a fixture array (its first row twice where it has one). */
    private static NDArray twoRows(SafeTensorsReader ref, String name) throws IOException {
        NDArray a = Fixtures.array(ENGINE.manager(), ref, name);
        return a.getShape().get(0) >= 2 ? a.get(":2") : NDArrays.concat(new NDList(a, a), 0);
    }

    @Test
    void theSameWeightsReadingOnlyWordsAreAnotherModelToConcepts(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("model");
        Folders.copyTree(Fixtures.MODEL, copy);
        Path config = copy.resolve("unet/config.json");
        Files.writeString(config, UNetConfig.read(config).toJson().put(UNetConfig.SPAN_KEY, "words").toPrettyString());
        try (StableDiffusion original = StableDiffusion.load(Fixtures.MODEL, ENGINE.manager());
                StableDiffusion reading = StableDiffusion.load(copy, ENGINE.manager())) {
            assertThat(reading.unet().config().crossAttentionSpan()).isEqualTo(CrossAttentionSpan.WORDS);
            assertThat(reading.fingerprint()).isNotEqualTo(original.fingerprint());
            Files.writeString(config, UNetConfig.read(config).toJson().put(UNetConfig.SPAN_KEY, "all")
                    .toPrettyString());
            try (StableDiffusion again = StableDiffusion.load(copy, ENGINE.manager())) {
                assertThat(again.fingerprint()).isEqualTo(original.fingerprint());
            }
        }
    }
}
