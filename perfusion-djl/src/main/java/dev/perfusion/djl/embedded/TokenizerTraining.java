package dev.perfusion.djl.embedded;

import dev.perfusion.core.text.BpeTrainer;
import dev.perfusion.core.world.World;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Part "tokenizer": a CLIP BPE vocabulary learnt from the captions of the world's training stream, written as a
 * diffusers {@code tokenizer/} folder.
 */
public final class TokenizerTraining {

    /** Captions the vocabulary is learnt from. */
    static final int CORPUS = 30_000;

    private TokenizerTraining() {
    }

    /** Learns the vocabulary and writes {@code work/model/tokenizer}. */
    public static BpeTrainer.Vocabulary run(Path work, EmbeddedRecipe recipe) throws IOException {
        World world = new World(recipe.worldSeed());
        List<String> corpus = new ArrayList<>(CORPUS);
        for (long i = 0; i < CORPUS; i++) {
            corpus.add(world.sample(i).caption());
        }
        BpeTrainer.Vocabulary vocabulary = BpeTrainer.train(corpus, 2, 4000);
        vocabulary.write(work.resolve("model/tokenizer"));
        return vocabulary;
    }
}
