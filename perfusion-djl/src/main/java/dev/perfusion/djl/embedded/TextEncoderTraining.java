package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Part "text-encoder": the generator's CLIP text encoder, pretrained contrastively against a small image tower on
 * the world's captioned pictures and then frozen, as Stable Diffusion's was. Needs the tokenizer part; writes
 * {@code work/model/text_encoder} in transformers' layout.
 */
public final class TextEncoderTraining {

    private TextEncoderTraining() {
    }

    public static List<Double> run(Path work, EmbeddedRecipe recipe, NDManager parent, ProgressListener listener,
            BooleanSupplier cancelled) throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.load(work.resolve("model/tokenizer"));
        ClipTextConfig config = recipe.textConfig(tokenizer.vocabSize());
        try (NDManager manager = parent.newSubManager()) {
            TrainingLoop.Result result = ContrastiveTraining.train("text-encoder", work, recipe, recipe.textEncoder(),
                    new ContrastiveTraining.Shapes(config, recipe.textEncoderImageTower(),
                            recipe.textLosses().extras()),
                    tokenizer, manager, listener, cancelled);
            Path folder = work.resolve("model/text_encoder");
            Files.createDirectories(folder);
            Files.write(folder.resolve("config.json"), new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(config.toJson(tokenizer.startId(), tokenizer.endId(), tokenizer.padId())));
            ContrastiveTraining.select(result.parameters(), "text_model.", true)
                    .save(folder.resolve("model.safetensors"), DType.F32);
            return result.losses();
        }
    }
}
