package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDManager;
import dev.perfusion.core.io.Folders;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.djl.DjlRuntime;
import dev.perfusion.djl.clip.ClipTextModel;
import dev.perfusion.djl.train.Parameters;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import dev.perfusion.djl.vae.AutoencoderKL;
import dev.perfusion.djl.weights.InitialWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model of the same shapes as a trained one, with freshly initialised weights in every component: what a quality
 * measurement must score near chance on, so that it can be seen to fail.
 */
public final class RandomModel {

    private RandomModel() {
    }

    /** Writes a diffusers folder {@code target} with {@code source}'s configs and tokenizer and random weights. */
    public static void write(Path source, Path target, long seed) throws IOException {
        Folders.deleteTree(target);
        Folders.copyTree(source, target);
        try (NDManager manager = DjlRuntime.engine().newBaseManager()) {
            InitialWeights text = new InitialWeights(manager, seed, key -> false);
            ClipTextModel.build(ClipTextConfig.read(target.resolve("text_encoder/config.json")), manager,
                    text.under("text_model."));
            new Parameters(text.created()).save(target.resolve("text_encoder/model.safetensors"), DType.F32);
            InitialWeights unet = new InitialWeights(manager, seed + 1, key -> false);
            UNet2DConditionModel.build(UNetConfig.read(target.resolve("unet/config.json")), unet, manager);
            new Parameters(unet.created()).save(target.resolve("unet/diffusion_pytorch_model.safetensors"), DType.F32);
            InitialWeights vae = new InitialWeights(manager, seed + 2, key -> false);
            AutoencoderKL.build(VaeConfig.read(target.resolve("vae/config.json")), vae, manager);
            new Parameters(vae.created()).save(target.resolve("vae/diffusion_pytorch_model.safetensors"), DType.F32);
        }
        Files.deleteIfExists(target.resolve("manifest.json"));
    }
}
