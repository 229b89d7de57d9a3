package dev.perfusion.djl.judge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.api.Judge;
import dev.perfusion.core.eval.Pictures;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.model.KeyMap;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.djl.DjlRuntime;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.weights.WeightStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded model's judge: a contrastive image and text pair trained on the world (apart from the generator's
 * text encoder), loaded from a folder with {@code config.json}, {@code model.safetensors} and {@code tokenizer/}.
 * Pictures of another size than the judge's are resized (bilinear) first. Thread-safe for concurrent calls.
 */
public final class EmbeddedJudge implements Judge {

    /** The {@code format} of the judge's {@code config.json}. */
    public static final String FORMAT = "perfusion-judge";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NDManager manager;
    private final ConvImageEncoder image;
    private final TextTower text;
    private final int imageSize;

    private EmbeddedJudge(NDManager manager, ConvImageEncoder image, TextTower text, int imageSize) {
        this.manager = manager;
        this.image = image;
        this.text = text;
        this.imageSize = imageSize;
    }

    /** Loads a judge folder on the CPU. */
    public static EmbeddedJudge load(Path folder) throws IOException {
        Path configFile = folder.resolve("config.json");
        JsonNode config = JSON.readTree(configFile.toFile());
        if (!FORMAT.equals(config.path("format").asText())) {
            throw new FileFormatException(configFile, "is not a judge config (format '"
                    + config.path("format").asText() + "', expected '" + FORMAT + "')");
        }
        ClipTextConfig textConfig = JSON.treeToValue(config.get("text"), ClipTextConfig.class);
        ImageEncoderConfig imageConfig = JSON.treeToValue(config.get("image"), ImageEncoderConfig.class);
        ClipTokenizer tokenizer = ClipTokenizer.load(folder.resolve("tokenizer"));
        NDManager parent = DjlRuntime.engine().newBaseManager();
        try {
            return WeightStore.load(folder.resolve("model.safetensors"), parent, KeyMap.prefixed(""),
                    List.of("logit_scale"), (store, m) -> new EmbeddedJudge(parent,
                            ConvImageEncoder.build(imageConfig, store, "vision."),
                            TextTower.build(textConfig, imageConfig.embed(), tokenizer, store, m),
                            config.path("image_size").asInt(64)));
        } catch (IOException | RuntimeException e) {
            parent.close();
            throw e;
        }
    }

    /** The {@code config.json} of a judge with these towers. */
    public static ObjectNode config(ClipTextConfig text, ImageEncoderConfig image, int imageSize) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("format_version", 1);
        n.put("image_size", imageSize);
        n.set("text", JSON.valueToTree(text));
        n.set("image", JSON.valueToTree(image));
        return n;
    }

    @Override
    public List<float[]> embedImages(List<int[]> pictures, int size) {
        try (NDManager m = manager.newSubManager()) {
            List<float[]> out = new ArrayList<>();
            for (int start = 0; start < pictures.size(); start += 64) {
                List<int[]> chunk = new ArrayList<>();
                for (int[] picture : pictures.subList(start, Math.min(pictures.size(), start + 64))) {
                    chunk.add(Pictures.resize(picture, size, imageSize));
                }
                rows(Contrastive.normalise(image.forward(Images.batch(m, chunk, imageSize))), out);
            }
            return out;
        }
    }

    @Override
    public List<float[]> embedTexts(List<String> texts) {
        try (NDManager m = manager.newSubManager()) {
            List<float[]> out = new ArrayList<>();
            for (int start = 0; start < texts.size(); start += 256) {
                rows(Contrastive.normalise(text.forward(m, texts.subList(start,
                        Math.min(texts.size(), start + 256)))), out);
            }
            return out;
        }
    }

    private static void rows(NDArray embeddings, List<float[]> out) {
        int width = (int) embeddings.getShape().get(1);
        float[] values = embeddings.toFloatArray();
        for (int r = 0; r < values.length / width; r++) {
            out.add(java.util.Arrays.copyOfRange(values, r * width, (r + 1) * width));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
