package dev.perfusion.djl.judge;

import ai.djl.ndarray.NDArray;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.GroupNorm;
import dev.perfusion.djl.nn.Linear;
import dev.perfusion.djl.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * A small residual convolutional image encoder, the image tower of the contrastive models trained on the world: a
 * stem that halves the side, stages that each halve it again and add a pre-norm residual block, then a normed,
 * averaged and projected embedding. Tensor names: {@code stem}, {@code stages.N.down}, {@code stages.N.norm1|conv1|norm2|conv2},
 * {@code head.norm}, {@code head.proj}.
 */
public final class ConvImageEncoder {

    private final Conv2d stem;
    private final List<Stage> stages;
    private final GroupNorm headNorm;
    private final Linear headProj;

    private record Stage(Conv2d down, GroupNorm norm1, Conv2d conv1, GroupNorm norm2, Conv2d conv2) {
    }

    private ConvImageEncoder(Conv2d stem, List<Stage> stages, GroupNorm headNorm, Linear headProj) {
        this.stem = stem;
        this.stages = stages;
        this.headNorm = headNorm;
        this.headProj = headProj;
    }

    /** Builds the encoder of {@code config} from {@code weights}, under {@code prefix}. */
    public static ConvImageEncoder build(ImageEncoderConfig config, Weights weights, String prefix)
            throws FileFormatException {
        List<Integer> ch = config.channels();
        Conv2d stem = Conv2d.load(weights, prefix + "stem", 3, ch.get(0), 3, 2, 1);
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < ch.size(); i++) {
            int in = i == 0 ? ch.get(0) : ch.get(i - 1);
            int c = ch.get(i);
            String key = prefix + "stages." + i;
            stages.add(new Stage(Conv2d.load(weights, key + ".down", in, c, 3, 2, 1),
                    GroupNorm.load(weights, key + ".norm1", config.groups(), c, 1e-5),
                    Conv2d.load(weights, key + ".conv1", c, c, 3, 1, 1),
                    GroupNorm.load(weights, key + ".norm2", config.groups(), c, 1e-5),
                    Conv2d.load(weights, key + ".conv2", c, c, 3, 1, 1)));
        }
        int last = ch.get(ch.size() - 1);
        return new ConvImageEncoder(stem, List.copyOf(stages),
                GroupNorm.load(weights, prefix + "head.norm", config.groups(), last, 1e-5),
                Linear.load(weights, prefix + "head.proj", last, config.embed(), true));
    }

    /** Whether a tensor of this name starts at zero when the encoder is trained from scratch. */
    public static boolean zeroInitialised(String key) {
        return key.matches(".*stages\\.\\d+\\.conv2\\.weight");
    }

    /** Embeddings (batch, embed) of pictures (batch, 3, side, side) in [-1, 1]. */
    public NDArray forward(NDArray images) {
        NDArray x = stem.forward(images);
        for (Stage s : stages) {
            x = s.down().forward(x);
            NDArray h = s.conv1().forward(s.norm1().forwardSilu(x));
            x = x.add(s.conv2().forward(s.norm2().forwardSilu(h)));
        }
        NDArray features = headNorm.forwardSilu(x);
        long batch = features.getShape().get(0);
        long channels = features.getShape().get(1);
        return headProj.forward(features.reshape(batch, channels, -1).mean(new int[] {2}));
    }
}
