package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.train.CheckpointFolder;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.train.Parameters;
import dev.perfusion.djl.train.TrainingLoop;
import dev.perfusion.djl.train.TrainingTask;
import dev.perfusion.djl.vae.AutoencoderKL;
import dev.perfusion.djl.weights.InitialWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Part "vae" of the embedded model: an {@code AutoencoderKL} trained on the world's pictures to reconstruct them
 * through a 4-channel latent a quarter of their side, with an L1 plus squared-error loss and a light KL term. The
 * latents' scaling factor is then set, as Stable Diffusion's was, to one over their standard deviation.
 */
public final class VaeTraining {

    private VaeTraining() {
    }

    /**
     * Trains (or resumes) the VAE in {@code work/checkpoints/vae} and writes {@code work/model/vae}.
     *
     * @return the losses of the steps this process ran
     */
    public static List<Double> run(Path work, EmbeddedRecipe recipe, NDManager parent, ProgressListener listener,
            BooleanSupplier cancelled) throws IOException {
        EmbeddedRecipe.Part part = recipe.vae();
        VaeConfig config = recipe.vaeConfig();
        try (NDManager manager = parent.newSubManager()) {
            InitialWeights init = new InitialWeights(manager, part.seed(), key -> false);
            AutoencoderKL vae = AutoencoderKL.build(config, init, manager);
            Parameters parameters = new Parameters(init.created());
            World world = new World(recipe.worldSeed());
            TrainingTask task = new TrainingTask() {
                @Override
                public String name() {
                    return "vae";
                }

                @Override
                public Parameters parameters() {
                    return parameters;
                }

                @Override
                public NDArray loss(NDManager m, long step) {
                    List<int[]> pictures = new ArrayList<>();
                    for (int i = 0; i < part.batch(); i++) {
                        long index = step * part.batch() + i;
                        pictures.add(Renderer.render(world.scene(World.Stream.TRAINING, index), recipe.imageSize())
                                .rgb());
                    }
                    NDArray x = Images.batch(m, pictures, recipe.imageSize());
                    AutoencoderKL.LatentDistribution d = vae.encode(x);
                    NDArray z = d.sample(NoiseSource.seeded(part.seed() * 1_000_003L + step));
                    NDArray error = vae.decode(z).sub(x);
                    NDArray kl = d.mean().square().add(d.logvar().exp()).sub(1).sub(d.logvar()).mean();
                    return error.abs().mean().add(error.square().mean()).add(Scalars.times(kl, 0.5 * KL_WEIGHT));
                }
            };
            TrainingLoop.Result result = TrainingLoop.run(task, part.settings(),
                    new CheckpointFolder(work.resolve("checkpoints/vae")), manager, recipe.record("vae"), listener,
                    cancelled);
            double scaling = scalingFactor(vae, world, recipe, manager);
            export(work.resolve("model/vae"), config.withScalingFactor(scaling), result.parameters(),
                    recipe.imageSize());
            return result.losses();
        }
    }

    /** Weight of the KL term against the per-pixel reconstruction losses. */
    static final double KL_WEIGHT = 1e-4;

    /** One over the standard deviation of the latent means of 512 world pictures. */
    private static double scalingFactor(AutoencoderKL vae, World world, EmbeddedRecipe recipe, NDManager manager) {
        double sum = 0;
        double squares = 0;
        long n = 0;
        for (int b = 0; b < 16; b++) {
            try (NDManager m = manager.newSubManager()) {
                List<int[]> pictures = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    pictures.add(Renderer.render(world.scene(World.Stream.EVALUATION, b * 32L + i),
                            recipe.imageSize()).rgb());
                }
                float[] mean = vae.encode(Images.batch(m, pictures, recipe.imageSize())).mean().toFloatArray();
                for (float v : mean) {
                    sum += v;
                    squares += v * v;
                    n++;
                }
            }
        }
        double variance = squares / n - (sum / n) * (sum / n);
        return 1 / Math.sqrt(variance);
    }

    static void export(Path folder, VaeConfig config, Parameters parameters, int imageSize) throws IOException {
        Files.createDirectories(folder);
        ObjectNode json = config.toJson(imageSize);
        Files.write(folder.resolve("config.json"), new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(json));
        parameters.save(folder.resolve("diffusion_pytorch_model.safetensors"), DType.F32);
    }
}
