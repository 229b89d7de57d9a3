package dev.perfusion.djl.nn;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.weights.Weights;
import java.util.List;
import java.util.Locale;

/**
 * Group normalisation of (batch, channels, ...) with per-channel scale and shift, like {@code nn.GroupNorm}, by
 * PyTorch's own {@code group_norm} kernel (through a {@link TorchScriptFunction}, since DJL has none).
 */
public final class GroupNorm {

    private final NDArray weight;
    private final NDArray bias;
    private final TorchScriptFunction norm;
    private final TorchScriptFunction normSilu;

    public GroupNorm(int groups, double eps, NDArray weight, NDArray bias) {
        long channels = weight.getShape().get(0);
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
        }
        this.weight = weight;
        this.bias = bias;
        String call = String.format(Locale.ROOT, "torch.group_norm(x, %d, weight, bias, %s)", groups,
                Double.toString(eps).toLowerCase(Locale.ROOT));
        this.norm = TorchScriptFunction.of(List.of("x", "weight", "bias"), call);
        this.normSilu = TorchScriptFunction.of(List.of("x", "weight", "bias"), "torch.silu(" + call + ")");
    }

    public static GroupNorm load(Weights store, String key, int groups, long channels, double eps)
            throws FileFormatException {
        return new GroupNorm(groups, eps, store.take(key + ".weight", channels), store.take(key + ".bias", channels));
    }

    /** {@code x}: (batch, channels, height, width). */
    public NDArray forward(NDArray x) {
        return norm.apply(x, weight, bias);
    }

    /** SiLU of the normalised {@code x}, the pre-activation of ResNet blocks and output heads, in one call. */
    public NDArray forwardSilu(NDArray x) {
        return normSilu.apply(x, weight, bias);
    }
}
