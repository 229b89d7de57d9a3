package dev.perfusion.djl.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.Scheduler;
import dev.perfusion.djl.clip.ClipTextConfig;
import dev.perfusion.djl.clip.ClipTextModel;
import dev.perfusion.djl.schedule.NoiseSchedule;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.schedule.Sampler;
import dev.perfusion.djl.schedule.SchedulerConfig;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import dev.perfusion.djl.unet.UNetConfig;
import dev.perfusion.djl.vae.AutoencoderKL;
import dev.perfusion.djl.vae.VaeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Stable Diffusion 1.x text-to-image model: tokenizer, text encoder, UNet, VAE and noise schedule, with the
 * steps of diffusers' {@code StableDiffusionPipeline} (prompt encoding, classifier-free guidance, sampling,
 * decoding) as separate calls so training and Perfusion's edits can reuse them. Owns the native memory of its
 * components.
 */
public final class StableDiffusion implements AutoCloseable {

    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final NoiseSchedule schedule;

    StableDiffusion(NDManager manager, ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet,
            AutoencoderKL vae, NoiseSchedule schedule) {
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedule = schedule;
    }

    /** Loads a diffusers folder ({@code model_index.json} and one folder per component). */
    public static StableDiffusion load(Path folder, NDManager parent) throws IOException {
        ModelIndex.check(folder);
        NDManager manager = parent.newSubManager();
        try {
            ClipTokenizer tokenizer = ClipTokenizer.load(folder.resolve("tokenizer"));
            ClipTextModel text = ClipTextModel.load(folder.resolve("text_encoder"), manager);
            UNet2DConditionModel unet = UNet2DConditionModel.load(folder.resolve("unet"), manager);
            AutoencoderKL vae = AutoencoderKL.load(folder.resolve("vae"), manager);
            SchedulerConfig schedule = SchedulerConfig.read(folder.resolve("scheduler/scheduler_config.json"));
            return new StableDiffusion(manager, tokenizer, text, unet, vae, new NoiseSchedule(schedule));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads an original single-file SD 1.x checkpoint ({@code .safetensors}, LDM layout). Such a file holds only
     * weights, so the configs and tokenizer come from {@code components}: a diffusers folder with
     * {@code tokenizer/}, {@code text_encoder/config.json}, {@code unet/config.json}, {@code vae/config.json} and
     * {@code scheduler/scheduler_config.json} (its weight files, if any, are not read). Pickle checkpoints are
     * refused: unpickling runs code.
     */
    public static StableDiffusion loadSingleFile(Path checkpoint, Path components, NDManager parent)
            throws IOException {
        SingleFile.refusePickle(checkpoint);
        NDManager manager = parent.newSubManager();
        try {
            ClipTokenizer tokenizer = ClipTokenizer.load(components.resolve("tokenizer"));
            ClipTextModel text = ClipTextModel.load(
                    ClipTextConfig.read(components.resolve("text_encoder/config.json")), checkpoint, manager,
                    LdmKeys.textEncoder());
            UNetConfig unetConfig = UNetConfig.read(components.resolve("unet/config.json"));
            UNet2DConditionModel unet = UNet2DConditionModel.load(unetConfig, checkpoint, manager,
                    LdmKeys.unet(unetConfig));
            VaeConfig vaeConfig = VaeConfig.read(components.resolve("vae/config.json"));
            AutoencoderKL vae = AutoencoderKL.load(vaeConfig, checkpoint, manager, LdmKeys.vae(vaeConfig));
            SchedulerConfig schedule = SchedulerConfig.read(components.resolve("scheduler/scheduler_config.json"));
            return new StableDiffusion(manager, tokenizer, text, unet, vae, new NoiseSchedule(schedule));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** The VAE's downscaling: image side / latent side. */
    public int vaeScale() {
        return 1 << (vae.config().blockOutChannels().size() - 1);
    }

    /** The default image side: the UNet's sample size times {@link #vaeScale()}. */
    public int defaultImageSize() {
        return unet.config().sampleSize() * vaeScale();
    }

    /** Text encodings (batch, 77, width) of prompts, padded and truncated as CLIP expects. */
    public NDArray encodePrompts(NDManager m, List<String> prompts) {
        int length = ClipTokenizer.MAX_LENGTH;
        long[] ids = new long[prompts.size() * length];
        for (int i = 0; i < prompts.size(); i++) {
            int[] row = tokenizer.encode(prompts.get(i), length);
            for (int j = 0; j < length; j++) {
                ids[i * length + j] = row[j];
            }
        }
        return textEncoder.forward(m.create(ids, new Shape(prompts.size(), length)));
    }

    /**
     * Runs the sampler from unit-variance noise {@code noise} (batch, latent channels, h, w) to final latents,
     * which belong to the noise's manager; each step's intermediates are freed when the step ends.
     *
     * @param conditional   text encodings of the prompts (batch, tokens, width)
     * @param unconditional encodings of the negative prompts, same shape; ignored, and may be null, when
     *                      {@code guidance <= 1}
     * @param guidance      classifier-free guidance scale; 1 runs the conditional branch only
     * @param noiseSource   the fresh noise of stochastic samplers
     */
    public NDArray sample(NDArray noise, NDArray conditional, NDArray unconditional, Scheduler kind, int steps,
            double guidance, NoiseSource noiseSource, ProgressListener listener) {
        try (Sampler sampler = Sampler.create(kind, schedule, steps, noiseSource)) {
            return sample(sampler, noise, conditional, unconditional, guidance, listener);
        }
    }

    private NDArray sample(Sampler sampler, NDArray noise, NDArray conditional, NDArray unconditional,
            double guidance, ProgressListener listener) {
        boolean guided = guidance > 1;
        NDArray context = guided ? NDArrays.concat(new NDList(unconditional, conditional), 0) : conditional;
        NDArray latents = noise.mul(sampler.initNoiseSigma());
        double[] timesteps = sampler.timesteps();
        long start = System.nanoTime();
        NDManager outer = noise.getManager();
        for (int i = 0; i < timesteps.length; i++) {
            try (NDManager step = outer.newSubManager()) {
                NDArray current = latents;
                current.tempAttach(step);
                context.tempAttach(step);
                NDArray input = sampler.scaleModelInput(guided ? NDArrays.concat(new NDList(current, current), 0)
                        : current, i);
                NDArray t = step.full(new Shape(input.getShape().get(0)), (float) timesteps[i]);
                NDArray prediction = unet.forward(input, t, context);
                if (guided) {
                    long half = prediction.getShape().get(0) / 2;
                    NDArray uncond = prediction.get(":" + half);
                    NDArray cond = prediction.get(half + ":");
                    prediction = uncond.add(cond.sub(uncond).mul(guidance));
                }
                NDArray next = sampler.step(prediction, i, current);
                next.attach(outer);
                latents = next;
            }
            listener.onProgress(new Progress("sampling", i + 1, timesteps.length, Double.NaN,
                    Duration.ofNanos(System.nanoTime() - start)));
        }
        return latents;
    }

    /** Images (batch, 3, H, W) in [0, 1] from final latents. */
    public NDArray decode(NDArray latents) {
        return vae.decode(latents.div(vae.scalingFactor())).div(2).add(0.5).clip(0, 1);
    }

    /** Packed 0xRRGGBB pixels of each image in a (batch, 3, H, W) array in [0, 1], rounded as diffusers does. */
    public static List<int[]> toRgb(NDArray images) {
        Shape s = images.getShape();
        int b = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] v = images.toType(DataType.FLOAT32, false).toFloatArray();
        List<int[]> out = new ArrayList<>();
        int plane = h * w;
        for (int n = 0; n < b; n++) {
            int[] rgb = new int[plane];
            int base = n * 3 * plane;
            for (int p = 0; p < plane; p++) {
                int r = Math.round(v[base + p] * 255);
                int g = Math.round(v[base + plane + p] * 255);
                int bl = Math.round(v[base + 2 * plane + p] * 255);
                rgb[p] = (r << 16) | (g << 8) | bl;
            }
            out.add(rgb);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
