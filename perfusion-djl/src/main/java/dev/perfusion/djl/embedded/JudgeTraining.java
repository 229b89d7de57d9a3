package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.judge.EmbeddedJudge;
import dev.perfusion.djl.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Part "judge": the contrastive image and text pair that scores generated images, trained on the world apart from
 * the generator (its own seed, towers and weights), with the two-view instance loss so that image similarity
 * separates one instance from others of its kind. Needs the tokenizer part; writes {@code work/judge}.
 */
public final class JudgeTraining {

    private JudgeTraining() {
    }

    public static List<Double> run(Path work, EmbeddedRecipe recipe, NDManager parent, ProgressListener listener,
            BooleanSupplier cancelled) throws IOException {
        Path tokenizerFolder = work.resolve("model/tokenizer");
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerFolder);
        ClipTextConfig text = recipe.judgeTextConfig(tokenizer.vocabSize());
        try (NDManager manager = parent.newSubManager()) {
            TrainingLoop.Result result = ContrastiveTraining.train("judge", work, recipe, recipe.judge(),
                    new ContrastiveTraining.Shapes(text, recipe.judgeImageTower(),
                            Set.of(ContrastiveTraining.Extra.KINDS, ContrastiveTraining.Extra.INSTANCE_VIEWS)),
                    tokenizer, manager, listener, cancelled);
            Path folder = work.resolve("judge");
            Files.createDirectories(folder.resolve("tokenizer"));
            try (var files = Files.list(tokenizerFolder)) {
                for (Path f : files.toList()) {
                    Files.copy(f, folder.resolve("tokenizer").resolve(f.getFileName()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.write(folder.resolve("config.json"), new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(EmbeddedJudge.config(text, recipe.judgeImageTower(), recipe.imageSize())));
            result.parameters().save(folder.resolve("model.safetensors"), DType.F32);
            return result.losses();
        }
    }
}
