package dev.perfusion.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A diffusers folder's {@code model_index.json}: checks that it is a Stable Diffusion pipeline whose components
 * this port implements and that each component folder is there.
 */
public final class ModelIndex {

    private static final Map<String, String> REQUIRED = Map.of(
            "tokenizer", "CLIPTokenizer",
            "text_encoder", "CLIPTextModel",
            "unet", "UNet2DConditionModel",
            "vae", "AutoencoderKL");

    private ModelIndex() {
    }

    public static void check(Path folder) throws IOException {
        Path index = folder.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new NoSuchFileException(index.toString(), null, "a diffusers model folder holds model_index.json");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FileFormatException(index, "is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FileFormatException(index, "is not a JSON object of components");
        }
        for (Map.Entry<String, String> component : REQUIRED.entrySet()) {
            JsonNode entry = root.get(component.getKey());
            String declared = entry != null && entry.isArray() && entry.size() == 2 ? entry.get(1).asText() : null;
            if (declared == null || !declared.startsWith(component.getValue())) {
                throw new FileFormatException(index, "declares " + component.getKey() + " as " + declared
                        + "; this SDK loads " + component.getValue());
            }
            if (!Files.isDirectory(folder.resolve(component.getKey()))) {
                throw new NoSuchFileException(folder.resolve(component.getKey()).toString(), null,
                        "model_index.json lists it but the folder is missing");
            }
        }
        if (!Files.isRegularFile(folder.resolve("scheduler/scheduler_config.json"))) {
            throw new NoSuchFileException(folder.resolve("scheduler/scheduler_config.json").toString(), null,
                    "the noise schedule is read from it");
        }
    }
}
