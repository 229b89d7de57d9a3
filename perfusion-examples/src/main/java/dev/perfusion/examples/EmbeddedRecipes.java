package dev.perfusion.examples;

import dev.perfusion.api.Concept;
import dev.perfusion.core.concept.ConceptFile;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.djl.embedded.EmbeddedRecipe;
import java.util.List;

/** Constants the embedded-model examples share, and figures they print. */
final class EmbeddedRecipes {

    /** The world the embedded model was trained on. */
    static final long WORLD_SEED = EmbeddedRecipe.standard().worldSeed();
    /** Training steps of the examples on the embedded model: the model's recommended number. */
    static final int STEPS = EmbeddedModel.conceptTraining().steps();

    private EmbeddedRecipes() {
    }

    /** The size of a concept file for Stable Diffusion 1.5's shapes (16 layers, 768-wide encodings), in fp16. */
    static int sd15ConceptBytes() {
        int[] widths = {320, 320, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280, 640, 640, 640, 320, 320, 320};
        List<String> names = List.of("down_blocks.0.attentions.0", "down_blocks.0.attentions.1",
                "down_blocks.1.attentions.0", "down_blocks.1.attentions.1", "down_blocks.2.attentions.0",
                "down_blocks.2.attentions.1", "mid_block.attentions.0", "up_blocks.1.attentions.0",
                "up_blocks.1.attentions.1", "up_blocks.1.attentions.2", "up_blocks.2.attentions.0",
                "up_blocks.2.attentions.1", "up_blocks.2.attentions.2", "up_blocks.3.attentions.0",
                "up_blocks.3.attentions.1", "up_blocks.3.attentions.2");
        Concept.Builder b = Concept.builder().name("sd15").supercategory("cat").baseModel("0".repeat(32))
                .tokenEmbedding(new float[768]).conceptInput(new float[768]).supercategoryInput(new float[768]);
        for (int i = 0; i < widths.length; i++) {
            b.valueTarget(names.get(i) + ".transformer_blocks.0.attn2", new float[widths[i]]);
        }
        return ConceptFile.toBytes(b.build(), ConceptFile.Precision.FP16).length;
    }
}
