package dev.perfusion.core.testing;

import dev.perfusion.api.Concept;
import dev.perfusion.api.Gate;
import dev.perfusion.core.safetensors.Float16;
import java.util.Map;

/** Concepts shaped like real ones, with values already representable in half precision. */
public final class SampleConcepts {

    /** The widths of SD 1.5's 16 cross-attention layers, in model order. */
    public static final int[] SD15_LAYER_WIDTHS = {320, 320, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280, 640,
            640, 640, 320, 320, 320};

    private SampleConcepts() {
    }

    /** An SD 1.5-shaped concept: 768-wide encodings, 16 value targets, key targets on the first two layers. */
    public static Concept sd15(String name, long seed) {
        RandomData random = new RandomData(seed);
        Concept.Builder b = Concept.builder()
                .name(name)
                .supercategory("cat")
                .baseModel("sha256:0123abcd")
                .tokenEmbedding(half(random.floats(768)))
                .conceptInput(half(random.floats(768)))
                .supercategoryInput(half(random.floats(768)))
                .keyGate(new Gate(0.7, 0.15))
                .valueGate(new Gate(0.65, 0.125))
                .training(Map.of("steps", "400", "seed", Long.toString(seed)));
        for (int i = 0; i < SD15_LAYER_WIDTHS.length; i++) {
            b.valueTarget(layer(i), half(random.floats(SD15_LAYER_WIDTHS[i])));
        }
        b.keyTarget(layer(0), half(random.floats(SD15_LAYER_WIDTHS[0])));
        b.keyTarget(layer(1), half(random.floats(SD15_LAYER_WIDTHS[1])));
        return b.build();
    }

    public static String layer(int i) {
        return "unet.block" + i + ".attn2";
    }

    private static float[] half(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Float16.toFloat(Float16.fromFloat(v[i]));
        }
        return v;
    }
}
