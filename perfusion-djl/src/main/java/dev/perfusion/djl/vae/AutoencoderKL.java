package dev.perfusion.djl.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.djl.nn.Conv2d;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.weights.WeightStore;
import dev.perfusion.djl.weights.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Stable Diffusion's VAE ({@code AutoencoderKL}): images in [-1, 1] to latent distributions (for training) and
 * latents back to images. {@link #scalingFactor()} is applied by callers: latents for the UNet are
 * {@code sample * scalingFactor}, and are divided by it before {@link #decode}.
 */
public final class AutoencoderKL implements AutoCloseable {

    private final VaeConfig config;
    private final NDManager manager;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    private AutoencoderKL(VaeConfig config, NDManager manager, Encoder encoder, Conv2d quantConv,
            Conv2d postQuantConv, Decoder decoder) {
        this.config = config;
        this.manager = manager;
        this.encoder = encoder;
        this.quantConv = quantConv;
        this.postQuantConv = postQuantConv;
        this.decoder = decoder;
    }

    /** Loads a diffusers {@code vae/} folder; nothing is kept when a tensor is missing, misshapen or left over. */
    public static AutoencoderKL load(Path folder, NDManager parent) throws IOException {
        VaeConfig config = VaeConfig.read(folder.resolve("config.json"));
        return load(config, WeightStore.componentFile(folder, "diffusion_pytorch_model"), parent,
                KeyMap.prefixed(""));
    }

    /** Loads the VAE from {@code weights}, whose tensor names {@code keys} translates. */
    public static AutoencoderKL load(VaeConfig config, Path weights, NDManager parent, KeyMap keys)
            throws IOException {
        return WeightStore.load(weights, parent, keys, List.of(), (store, manager) -> build(config, store, manager));
    }

    /**
     * Builds the VAE of {@code config} from {@code weights}, its arrays owned by {@code manager}: a checkpoint, or a
     * fresh initialisation to train.
     */
    public static AutoencoderKL build(VaeConfig config, Weights weights, NDManager manager)
            throws FileFormatException {
        long moments = 2L * config.latentChannels();
        return new AutoencoderKL(config, manager, Encoder.load(weights, config),
                Conv2d.load(weights, "quant_conv", moments, moments, 1, 1, 0),
                Conv2d.load(weights, "post_quant_conv", config.latentChannels(), config.latentChannels(), 1, 1, 0),
                Decoder.load(weights, config));
    }

    public VaeConfig config() {
        return config;
    }

    public double scalingFactor() {
        return config.scalingFactor();
    }

    /** The latent distribution of images (batch, 3, H, W) in [-1, 1]. */
    public LatentDistribution encode(NDArray images) {
        NDArray moments = quantConv.forward(encoder.forward(images));
        long c = config.latentChannels();
        NDArray mean = moments.get(":, :" + c);
        NDArray logvar = moments.get(":, " + c + ":").clip(-30.0, 20.0);
        return new LatentDistribution(mean, logvar);
    }

    /** Images (batch, 3, 8h, 8w), about [-1, 1], from unscaled latents (batch, latent channels, h, w). */
    public NDArray decode(NDArray latents) {
        return decoder.forward(postQuantConv.forward(latents));
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * The diagonal Gaussian the encoder predicts.
     *
     * @param mean   its mean
     * @param logvar its log-variance, clipped to [-30, 20]
     */
    public record LatentDistribution(NDArray mean, NDArray logvar) {

        /** A sample {@code mean + exp(logvar / 2) * noise}. */
        public NDArray sample(NoiseSource noise) {
            return mean.add(Scalars.times(logvar, 0.5).exp().mul(noise.next(mean.getManager(), mean.getShape())));
        }
    }
}
