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
import dev.perfusion.api.spi.GenerationJob;
import dev.perfusion.core.embedded.EmbeddedModel;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.core.model.LdmKeys;
import dev.perfusion.core.model.ModelIndex;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.core.schedule.NoiseSchedule;
import dev.perfusion.core.schedule.SchedulerConfig;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.clip.ClipTextModel;
import dev.perfusion.djl.schedule.NoiseSource;
import dev.perfusion.djl.schedule.Sampler;
import dev.perfusion.djl.unet.CrossAttentionLayer;
import dev.perfusion.djl.unet.TextConditioning;
import dev.perfusion.djl.unet.UNet2DConditionModel;
import dev.perfusion.djl.vae.AutoencoderKL;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

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
    private final SchedulerConfig schedulerConfig;
    private final NoiseSchedule schedule;
    private volatile String fingerprint;

    StableDiffusion(NDManager manager, ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet,
            AutoencoderKL vae, SchedulerConfig schedulerConfig) {
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.schedule = NoiseSchedule.training(schedulerConfig);
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
            return new StableDiffusion(manager, tokenizer, text, unet, vae, schedule);
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
            return new StableDiffusion(manager, tokenizer, text, unet, vae, schedule);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The model's fingerprint: the first 16 bytes, in hex, of a SHA-256 over the text encoder's weights and every
     * cross-attention layer's key and value weights (names and float32 values, in load order), and the UNet's
     * cross-attention span where it reads only the words (the same weights read another way are another model).
     * Concepts record it; computed once.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            synchronized (this) {
                if (fingerprint == null) {
                    MessageDigest sha = EmbeddedModel.sha256();
                    textEncoder.parameters().forEach((name, array) -> digest(sha, "text_encoder." + name, array));
                    for (CrossAttentionLayer layer : unet.crossAttentionLayers()) {
                        digest(sha, layer.name() + ".to_k", layer.keyWeight());
                        digest(sha, layer.name() + ".to_v", layer.valueWeight());
                    }
                    if (unet.config().crossAttentionSpan() != CrossAttentionSpan.ALL) {
                        sha.update((UNetConfig.SPAN_KEY + "=" + unet.config().crossAttentionSpan().id())
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    fingerprint = HexFormat.of().formatHex(sha.digest(), 0, 16);
                }
                f = fingerprint;
            }
        }
        return f;
    }

    private static void digest(MessageDigest sha, String name, NDArray array) {
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(array.size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(array.toFloatArray());
        sha.update(bytes);
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

    /** The scheduler config as the model's folder gives it; samplers read it each their own way. */
    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** The training noise schedule. */
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
     * The encodings of prompts made of text and concept tokens, and where each concept's token ended up.
     *
     * @param hidden    (batch, 77, width)
     * @param positions per prompt, per concept index, the token position (-1 where the prompt has none; the last
     *                  one where it has several)
     * @param ends      per prompt, the position of its end token (after the start token and the words)
     */
    public record Encoded(NDArray hidden, int[][] positions, int[] ends) {
    }

    /**
     * Encodes prompts whose concept tokens take {@code conceptEmbeddings.get(c)} (width) as their input embedding,
     * the way a concept's learnt token enters CLIP; with {@code conceptEmbeddings} null, each concept token is its
     * supercategory word instead, and its position is that word's last token. Gradients reach the embeddings.
     *
     * @param supercategories the supercategory word of each concept index
     */
    public Encoded encode(NDManager m, List<List<GenerationJob.PromptPart>> prompts, List<NDArray> conceptEmbeddings,
            List<String> supercategories) {
        int length = ClipTokenizer.MAX_LENGTH;
        int batch = prompts.size();
        int concepts = supercategories.size();
        long[] ids = new long[batch * length];
        int[][] positions = new int[batch][concepts];
        int[] ends = new int[batch];
        boolean[][] isConcept = new boolean[batch][length];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(positions[b], -1);
            List<Integer> row = new ArrayList<>();
            List<Integer> owner = new ArrayList<>();
            for (GenerationJob.PromptPart part : prompts.get(b)) {
                if (part instanceof GenerationJob.PromptPart.Text t) {
                    for (int id : tokenizer.ids(t.text())) {
                        row.add(id);
                        owner.add(-1);
                    }
                } else if (part instanceof GenerationJob.PromptPart.ConceptToken c) {
                    if (conceptEmbeddings != null) {
                        row.add(tokenizer.padId());
                        owner.add(c.concept());
                    } else {
                        List<Integer> word = tokenizer.ids(" " + supercategories.get(c.concept()) + " ");
                        for (int i = 0; i < word.size(); i++) {
                            row.add(word.get(i));
                            owner.add(i == word.size() - 1 ? c.concept() : -1);
                        }
                    }
                }
            }
            int n = Math.min(row.size(), length - 2);
            ids[b * length] = tokenizer.startId();
            for (int i = 0; i < n; i++) {
                ids[b * length + 1 + i] = row.get(i);
                if (owner.get(i) >= 0) {
                    positions[b][owner.get(i)] = 1 + i;
                    isConcept[b][1 + i] = conceptEmbeddings != null;
                }
            }
            ids[b * length + 1 + n] = tokenizer.endId();
            ends[b] = 1 + n;
            for (int i = n + 2; i < length; i++) {
                ids[b * length + i] = tokenizer.padId();
            }
        }
        NDArray embeddings = textEncoder.embed(m.create(ids, new Shape(batch, length)));
        if (conceptEmbeddings != null) {
            embeddings = substitute(m, embeddings, isConcept, positions, conceptEmbeddings);
        }
        return new Encoded(textEncoder.encode(embeddings), positions, ends);
    }

    private static NDArray substitute(NDManager m, NDArray embeddings, boolean[][] isConcept, int[][] positions,
            List<NDArray> conceptEmbeddings) {
        int batch = isConcept.length;
        int length = isConcept[0].length;
        float[] keep = new float[batch * length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < length; i++) {
                keep[b * length + i] = isConcept[b][i] ? 0f : 1f;
            }
        }
        NDArray out = embeddings.mul(m.create(keep, new Shape(batch, length, 1)));
        for (int c = 0; c < conceptEmbeddings.size(); c++) {
            float[] at = new float[batch * length];
            boolean any = false;
            for (int b = 0; b < batch; b++) {
                if (positions[b][c] >= 0) {
                    at[b * length + positions[b][c]] = 1f;
                    any = true;
                }
            }
            if (any) {
                NDArray row = conceptEmbeddings.get(c).reshape(1, 1, -1);
                out = out.add(m.create(at, new Shape(batch, length, 1)).mul(row));
            }
        }
        return out;
    }

    /**
     * Runs the sampler from unit-variance noise {@code noise} (batch, latent channels, h, w) to final latents,
     * which belong to the noise's manager; each step's intermediates are freed when the step ends.
     *
     * @param conditional   text encodings of the prompts (batch, tokens, width)
     * @param unconditional encodings of the negative prompts, same shape; ignored, and may be null, when
     *                      {@code guidance <= 1}
     * @param edits         cross-attention layers whose key and value projections are replaced for this call
     * @param guidance      classifier-free guidance scale; 1 runs the conditional branch only
     * @param eta           DDIM's stochasticity (0 for the others)
     * @param noiseSource   the fresh noise of stochastic samplers
     */
    public NDArray sample(NDArray noise, NDArray conditional, NDArray unconditional,
            Map<String, TextConditioning.LayerEdit> edits, Scheduler kind, int steps, double guidance, double eta,
            NoiseSource noiseSource, ProgressListener listener) {
        return sample(noise, conditional, unconditional, edits, kind, steps, guidance, eta, noiseSource, listener,
                null);
    }

    /**
     * As above, telling the UNet where each prompt ends, which a UNet that reads only words needs.
     *
     * @param ends the end token's position in each row of the text encodings the UNet sees: with guidance, the
     *             negative prompts' rows first, then the prompts'; null where unknown
     */
    public NDArray sample(NDArray noise, NDArray conditional, NDArray unconditional,
            Map<String, TextConditioning.LayerEdit> edits, Scheduler kind, int steps, double guidance, double eta,
            NoiseSource noiseSource, ProgressListener listener, int[] ends) {
        boolean guided = guidance > 1;
        NDArray context = guided ? NDArrays.concat(new NDList(unconditional, conditional), 0) : conditional;
        try (Sampler sampler = Sampler.create(kind, schedulerConfig, steps, eta, noiseSource);
                TextConditioning text = TextConditioning.edited(context, edits)) {
            if (ends != null) {
                text.withEnds(ends);
            }
            return sample(sampler, noise, text, guided, guidance, listener);
        }
    }

    private NDArray sample(Sampler sampler, NDArray noise, TextConditioning text, boolean guided, double guidance,
            ProgressListener listener) {
        NDArray latents = noise.mul(sampler.initNoiseSigma());
        double[] timesteps = sampler.timesteps();
        long start = System.nanoTime();
        NDManager outer = noise.getManager();
        for (int i = 0; i < timesteps.length; i++) {
            try (NDManager step = outer.newSubManager()) {
                NDArray current = latents;
                current.tempAttach(step);
                NDArray input = sampler.scaleModelInput(guided ? NDArrays.concat(new NDList(current, current), 0)
                        : current, i);
                NDArray t = step.full(new Shape(input.getShape().get(0)), (float) timesteps[i]);
                NDArray prediction = unet.forward(input, t, text);
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
