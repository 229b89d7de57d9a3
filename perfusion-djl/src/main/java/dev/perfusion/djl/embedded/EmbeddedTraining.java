package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.djl.DjlRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The program that makes the embedded base model, part by part. Each part trains in {@code work/checkpoints/<part>},
 * resumes from its newest checkpoint when run again, and writes its component under {@code work/model}.
 */
public final class EmbeddedTraining {

    /** The parts, in the order they depend on each other. */
    public enum Part {
        /** The BPE vocabulary, learnt from the world's captions. */
        TOKENIZER(null),
        /** The generator's text encoder, pretrained contrastively. */
        TEXT_ENCODER(null),
        /** The VAE: pictures to latents and back. */
        VAE(null),
        /** The conditional UNet, on the frozen text encoder and VAE. */
        UNET(null),
        /** More steps for the finished UNet, with a schedule of their own. */
        UNET_CONTINUE(UNetTraining.Continuation.of(CrossAttentionSpan.ALL)),
        /**
         * The same steps again for the continued UNet, its cross-attention reading only the start token and the
         * words ({@link CrossAttentionSpan#WORDS}).
         */
        UNET_WORDS(UNetTraining.Continuation.of(CrossAttentionSpan.WORDS)),
        /**
         * The same steps again for the continued UNet, its cross-attention reading the start token, the words and the
         * end token ({@link CrossAttentionSpan#WORDS_AND_END}).
         */
        UNET_WORDS_END(UNetTraining.Continuation.of(CrossAttentionSpan.WORDS_AND_END)),
        /**
         * Half those steps again for the UNet that reads its words and the end token, on scenes no part drew before,
         * with captions that leave out each object's colour three times in ten ("a fish above a house"), as everyday
         * prompts and Perfusion's supercategory prompts do.
         */
        UNET_COLOUR_OPTIONAL(new UNetTraining.Continuation(CrossAttentionSpan.WORDS_AND_END, 0.7, 0.5, 1)),
        /** The judge that scores images, trained apart from the generator. */
        JUDGE(null),
        /** The shipped resources: every weight in half precision, with a manifest (see {@link #pack}). */
        PACKAGE(null);

        /** What a continuation part changes; null for the parts that do not continue the UNet. */
        private final UNetTraining.Continuation continuation;

        Part(UNetTraining.Continuation continuation) {
            this.continuation = continuation;
        }

        /** The name used on the command line and for the checkpoint folder. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The part of this command-line name. */
        public static Part of(String id) {
            for (Part p : values()) {
                if (p.id().equals(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no part '" + id + "'; parts: "
                    + java.util.Arrays.stream(values()).map(Part::id).toList());
        }
    }

    /** The name of the shipped model's recipe, which {@code TrainEmbeddedModel} runs unless told otherwise. */
    public static final String SHIPPED_RECIPE = "kind-aware";
    /** The UNet's continuation parts, in the order they run. */
    private static final List<Part> CONTINUATIONS = java.util.Arrays.stream(Part.values())
            .filter(p -> p.continuation != null).toList();
    /** The parts that continued the shipped model's UNet after part {@link Part#UNET}, in order. */
    public static final List<Part> SHIPPED_CONTINUATIONS = List.of(Part.UNET_CONTINUE, Part.UNET_WORDS_END,
            Part.UNET_COLOUR_OPTIONAL);
    /** The command line that makes the shipped model: every part with its recipe, as its manifest records. */
    public static final String COMMAND = command(SHIPPED_RECIPE, SHIPPED_CONTINUATIONS);

    private EmbeddedTraining() {
    }

    /**
     * The command line that runs every part with the recipe of this name ({@link EmbeddedRecipe#named}), with the
     * UNet continuation parts {@code continuations} after part {@link Part#UNET}.
     */
    public static String command(String recipeName, List<Part> continuations) {
        StringBuilder parts = new StringBuilder("tokenizer text-encoder judge vae unet ");
        for (Part p : continuations) {
            if (!CONTINUATIONS.contains(p)) {
                throw new IllegalArgumentException("part " + p.id() + " does not continue the UNet");
            }
            parts.append(p.id()).append(' ');
        }
        return "mvn -B -pl perfusion-examples -am install exec:java "
                + "-Dexample.main=dev.perfusion.examples.TrainEmbeddedModel "
                + "-Dexec.args=\"" + parts + "package --work embedded-training --recipe " + recipeName + "\"";
    }

    /**
     * Runs part {@link Part#PACKAGE}: writes the shipped resources into {@code out}. The manifest records the
     * command of the parts that made the model, with each UNet continuation part that finished in {@code work},
     * and then their own records (schedule, the SHA-256 of the weights each started from, span).
     */
    public static void pack(Path work, Path out, EmbeddedRecipe recipe, String recipeName) throws IOException {
        Map<String, JsonNode> records = new java.util.LinkedHashMap<>();
        List<Part> finished = new java.util.ArrayList<>();
        for (Part p : CONTINUATIONS) {
            Optional<JsonNode> record = UNetTraining.finishedContinuation(work, recipe, p.id(), p.continuation);
            if (record.isPresent()) {
                finished.add(p);
                records.put(p == Part.UNET_CONTINUE ? "unet_continuation" : p.id().replace('-', '_'), record.get());
            }
        }
        EmbeddedPackaging.run(work, out, recipe, command(recipeName, finished), records);
    }

    /**
     * Runs one part to its end, resuming from its newest checkpoint.
     *
     * @return the losses of the steps this process ran
     */
    public static List<Double> run(Part part, Path work, EmbeddedRecipe recipe, ProgressListener listener,
            BooleanSupplier cancelled) throws IOException {
        try (NDManager manager = DjlRuntime.engine().newBaseManager()) {
            return switch (part) {
                case TOKENIZER -> {
                    TokenizerTraining.run(work, recipe);
                    yield List.of();
                }
                case TEXT_ENCODER -> TextEncoderTraining.run(work, recipe, manager, listener, cancelled);
                case VAE -> VaeTraining.run(work, recipe, manager, listener, cancelled);
                case UNET -> UNetTraining.run(work, recipe, manager, listener, cancelled);
                case UNET_CONTINUE, UNET_WORDS, UNET_WORDS_END, UNET_COLOUR_OPTIONAL -> UNetTraining.runContinuation(
                        work, recipe, part.id(), part.continuation, manager, listener, cancelled);
                case JUDGE -> JudgeTraining.run(work, recipe, manager, listener, cancelled);
                case PACKAGE -> throw new IllegalArgumentException("packaging needs its output folder: use pack()");
            };
        }
    }
}
