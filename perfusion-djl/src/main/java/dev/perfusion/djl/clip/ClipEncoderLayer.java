package dev.perfusion.djl.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.djl.nn.LayerNorm;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.weights.Weights;

/** One pre-norm transformer layer of CLIP's text encoder ({@code encoder.layers.N}). */
final class ClipEncoderLayer {

    private final LayerNorm layerNorm1;
    private final ClipAttention selfAttn;
    private final LayerNorm layerNorm2;
    private final Linear fc1;
    private final Linear fc2;
    private final boolean quickGelu;

    private ClipEncoderLayer(LayerNorm layerNorm1, ClipAttention selfAttn, LayerNorm layerNorm2, Linear fc1,
            Linear fc2, boolean quickGelu) {
        this.layerNorm1 = layerNorm1;
        this.selfAttn = selfAttn;
        this.layerNorm2 = layerNorm2;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.quickGelu = quickGelu;
    }

    static ClipEncoderLayer load(Weights store, String key, ClipTextConfig c) throws FileFormatException {
        int h = c.hiddenSize();
        return new ClipEncoderLayer(
                LayerNorm.load(store, key + ".layer_norm1", h, c.layerNormEps()),
                ClipAttention.load(store, key + ".self_attn", c),
                LayerNorm.load(store, key + ".layer_norm2", h, c.layerNormEps()),
                Linear.load(store, key + ".mlp.fc1", h, c.intermediateSize(), true),
                Linear.load(store, key + ".mlp.fc2", c.intermediateSize(), h, true),
                c.hiddenAct().equals("quick_gelu"));
    }

    NDArray forward(NDArray x, NDArray causalMask) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), causalMask));
        NDArray m = fc1.forward(layerNorm2.forward(h));
        m = quickGelu ? m.mul(Activation.sigmoid(Scalars.times(m, 1.702))) : Activation.gelu(m);
        return h.add(fc2.forward(m));
    }
}
