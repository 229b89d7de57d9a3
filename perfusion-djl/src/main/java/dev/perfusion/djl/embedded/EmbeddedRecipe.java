package dev.perfusion.djl.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.core.model.UNetConfig;
import dev.perfusion.core.model.VaeConfig;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.judge.ImageEncoderConfig;
import dev.perfusion.djl.train.LearningRate;
import dev.perfusion.djl.train.TrainingLoop;
import java.util.List;
import java.util.Set;

/**
 * How the embedded base model is made: its shapes, and for each training part its seed, batch, steps and schedule.
 * The shipped model's manifest records the recipe it was made with.
 *
 * @param worldSeed   the seed of the world every part draws its pictures and captions from
 * @param imageSize   the side of the pictures, in pixels
 * @param vae         the VAE part
 * @param textEncoder the contrastive pretraining of the generator's text encoder
 * @param unet        the UNet
 * @param judge       the contrastive training of the judge
 * @param textLosses  what the text encoder's pretraining adds to the contrastive loss
 */
public record EmbeddedRecipe(long worldSeed, int imageSize, Part vae, Part textEncoder, Part unet, Part judge,
        TextLosses textLosses) {

    /** What the text encoder's pretraining adds to CLIP's contrastive loss, so that its encodings tell kinds apart. */
    public enum TextLosses {
        /** CLIP's loss alone ({@link #standard()}). */
        CONTRASTIVE,
        /** Plus the judge's kind loss on the batch's lone scenes ({@link #kindAware()}, the shipped model's). */
        KINDS,
        /**
         * Plus, for every picture, its caption with one object's kind swapped as an extra negative, as NegCLIP's hard
         * negatives: captions otherwise tell pictures apart by colour and backdrop alone.
         */
        KINDS_AND_SWAPPED_KINDS,
        /**
         * Plus a loss on the hidden state at every object's kind word in the batch's own captions, the states the
         * UNet attends to: matched to one of nine learnt kind directions at a fixed temperature, so the kind must
         * show in the state's direction, where the colour before it dominates under the other losses.
         */
        KINDS_AND_KIND_TOKENS;

        /** The losses the pretraining adds to the contrastive loss. */
        Set<ContrastiveTraining.Extra> extras() {
            return switch (this) {
                case CONTRASTIVE -> Set.of();
                case KINDS -> Set.of(ContrastiveTraining.Extra.KINDS);
                case KINDS_AND_SWAPPED_KINDS -> Set.of(ContrastiveTraining.Extra.KINDS,
                        ContrastiveTraining.Extra.SWAPPED_KINDS);
                case KINDS_AND_KIND_TOKENS -> Set.of(ContrastiveTraining.Extra.KINDS,
                        ContrastiveTraining.Extra.KIND_TOKENS);
            };
        }
    }

    /**
     * One training part.
     *
     * @param seed     seed of its initialisation and noise
     * @param batch    pictures per step
     * @param settings steps, schedule, decay, EMA and checkpoint interval
     */
    public record Part(long seed, int batch, TrainingLoop.Settings settings) {
    }

    /**
     * The standard recipe, of the model shipped before {@link #kindAware()}'s. Its text encoder, pretrained by the
     * contrastive loss alone, barely tells kinds apart (see {@link #kindAware()}).
     */
    public static EmbeddedRecipe standard() {
        return new EmbeddedRecipe(2026, World.SIZE,
                new Part(11, 32, new TrainingLoop.Settings(2500, new LearningRate(1e-3, 100, 2500, 0.1), 0.0, 1.0, 0,
                        250)),
                new Part(21, 64, new TrainingLoop.Settings(3000, new LearningRate(1e-3, 150, 3000, 0.05), 0.1, 1.0, 0,
                        250)),
                new Part(41, 32, new TrainingLoop.Settings(16000, new LearningRate(3e-4, 500, 16000, 0.1), 0.0, 1.0,
                        0.999, 500)),
                new Part(31, 64, new TrainingLoop.Settings(5000, new LearningRate(1e-3, 150, 5000, 0.05), 0.1, 1.0, 0,
                        250)), TextLosses.CONTRASTIVE);
    }

    /**
     * The recipe of the shipped model: {@link #standard()}'s parts, with the kind loss added to the text encoder's
     * pretraining. In the standard text encoder's encodings of "a {colour} {kind} {place}", the kind explains 5% of
     * the variance at the kind's own token and 6% at the end token (the colour 94% and 34%), and its UNet draws a
     * recognisable kind for 42% of lone objects; with the kind loss, 61%. See docs/embedded-model.md.
     */
    public static EmbeddedRecipe kindAware() {
        return standard().withTextLosses(TextLosses.KINDS);
    }

    /**
     * {@link #kindAware()} with swapped-kind captions as hard negatives ({@link TextLosses#KINDS_AND_SWAPPED_KINDS}).
     */
    public static EmbeddedRecipe swappedKinds() {
        return standard().withTextLosses(TextLosses.KINDS_AND_SWAPPED_KINDS);
    }

    /**
     * {@link #kindAware()} with the kind loss at the kind words' own states ({@link TextLosses#KINDS_AND_KIND_TOKENS}).
     * The kind explains 89% of the variance at its own token (5% for {@link #kindAware()}), yet its UNet drew as many
     * recognisable kinds at step 4,000 (39% against 38%); not adopted. See docs/embedded-model.md.
     */
    public static EmbeddedRecipe kindTokens() {
        return standard().withTextLosses(TextLosses.KINDS_AND_KIND_TOKENS);
    }

    /** This recipe with other text-encoder losses. */
    public EmbeddedRecipe withTextLosses(TextLosses losses) {
        return new EmbeddedRecipe(worldSeed, imageSize, vae, textEncoder, unet, judge, losses);
    }

    /** The recipe of this name: "standard", "kind-aware", "swapped-kinds" or "kind-tokens". */
    public static EmbeddedRecipe named(String name) {
        return switch (name) {
            case "standard" -> standard();
            case "kind-aware" -> kindAware();
            case "swapped-kinds" -> swappedKinds();
            case "kind-tokens" -> kindTokens();
            default -> throw new IllegalArgumentException("no recipe '" + name + "'; recipes: standard, kind-aware, "
                    + "swapped-kinds, kind-tokens");
        };
    }

    /** The same recipe with every part's steps multiplied by {@code factor} (at least one step), for quick runs. */
    public EmbeddedRecipe scaled(double factor) {
        return new EmbeddedRecipe(worldSeed, imageSize, scale(vae, factor), scale(textEncoder, factor),
                scale(unet, factor), scale(judge, factor), textLosses);
    }

    private static Part scale(Part part, double factor) {
        TrainingLoop.Settings s = part.settings();
        long steps = Math.max(1, Math.round(s.steps() * factor));
        LearningRate r = s.schedule();
        return new Part(part.seed(), part.batch(), new TrainingLoop.Settings(steps,
                new LearningRate(r.peak(), Math.min(r.warmup(), steps / 4), steps, r.floor()), s.weightDecay(),
                s.clipNorm(), s.emaDecay(), Math.max(1, Math.min(s.checkpointEvery(), steps))));
    }

    /** The VAE's shapes: 64-pixel pictures to 4 x 16 x 16 latents. */
    public VaeConfig vaeConfig() {
        return new VaeConfig(3, 3, List.of(32, 64, 64), 1, 4, 32, 1.0);
    }

    /** The generator's text encoder: 4 layers of width 128 over the world's vocabulary. */
    public ClipTextConfig textConfig(int vocabSize) {
        return new ClipTextConfig(vocabSize, 128, 512, 4, 4, ClipTokenizer.MAX_LENGTH, "quick_gelu", 1e-5);
    }

    /** The image tower the text encoder is pretrained against (dropped afterwards). */
    public ImageEncoderConfig textEncoderImageTower() {
        return new ImageEncoderConfig(List.of(32, 64, 96, 128), 8, 128);
    }

    /**
     * The UNet: three levels of 64, 128 and 128 channels over 16 x 16 latents, cross-attention at every level to
     * text encodings of width {@code contextWidth}, reading all of their positions; about 7 million parameters.
     */
    public UNetConfig unetConfig(int contextWidth) {
        List<String> down = List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D");
        List<String> up = List.of("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D");
        return new UNetConfig(4, 4, List.of(64, 128, 128), 1, down, up, contextWidth, List.of(4, 4, 4), 32, 1e-5, true,
                0, 1, false, List.of(1, 1, 1), imageSize / 4, CrossAttentionSpan.ALL);
    }

    /** The judge's text tower: smaller than the generator's, and trained apart from it. */
    public ClipTextConfig judgeTextConfig(int vocabSize) {
        return new ClipTextConfig(vocabSize, 96, 384, 3, 4, ClipTokenizer.MAX_LENGTH, "quick_gelu", 1e-5);
    }

    /** The judge's image tower. */
    public ImageEncoderConfig judgeImageTower() {
        return new ImageEncoderConfig(List.of(32, 48, 96, 128), 8, 128);
    }

    /**
     * What a part's checkpoints record of the recipe: what defines that part, so that a checkpoint made under other
     * settings is refused rather than resumed.
     */
    JsonNode record(String partName) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("part", partName);
        n.put("world_version", World.VERSION);
        n.put("world_seed", worldSeed);
        n.put("image_size", imageSize);
        Part part = switch (partName) {
            case "vae" -> vae;
            case "text-encoder" -> textEncoder;
            case "unet" -> unet;
            case "judge" -> judge;
            default -> throw new IllegalArgumentException("no trained part '" + partName + "'");
        };
        n.set("part_recipe", json.valueToTree(part));
        if (part == textEncoder) {
            n.put("text_losses", textLosses.name());
        }
        return n;
    }
}
