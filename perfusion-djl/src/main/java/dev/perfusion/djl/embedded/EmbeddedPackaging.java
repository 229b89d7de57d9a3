package dev.perfusion.djl.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perfusion.core.embedded.ManifestWriter;
import dev.perfusion.core.io.Folders;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.Float16;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.core.safetensors.TensorInfo;
import dev.perfusion.core.world.World;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Part "package": turns the trained model ({@code work/model}) and judge ({@code work/judge}) into the resources
 * the SDK ships: the same folders with every weight in half precision, and a manifest with each file's checksum,
 * the training command, the seeds and the world's version.
 */
public final class EmbeddedPackaging {

    private EmbeddedPackaging() {
    }

    /**
     * Writes the shipped folder {@code out} afresh.
     *
     * @param command      the command that trained the model, for the manifest
     * @param continuations the records of the UNet's continuation parts that made it, by manifest field
     * @return the manifest
     */
    public static JsonNode run(Path work, Path out, EmbeddedRecipe recipe, String command,
            Map<String, JsonNode> continuations) throws IOException {
        Folders.deleteTree(out);
        Path model = work.resolve("model");
        Folders.copyTree(model, out);
        Folders.copyTree(work.resolve("judge"), out.resolve("judge"));
        UNetTraining.writeScheduler(out);
        for (String weights : List.of("text_encoder/model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.safetensors", "judge/model.safetensors")) {
            toHalf(out.resolve(weights));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode record = json.createObjectNode();
        record.put("training_command", command);
        record.put("world_version", World.VERSION);
        record.put("world_seed", recipe.worldSeed());
        record.set("recipe", json.valueToTree(recipe));
        continuations.forEach(record::set);
        return ManifestWriter.write(out, record);
    }

    /** Rewrites a safetensors file with every floating-point tensor in F16, refusing values F16 cannot hold. */
    static void toHalf(Path file) throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
            for (TensorInfo t : reader.tensors().values()) {
                float[] values = reader.readFloats(t.name());
                for (float v : values) {
                    if (Math.abs(v) > Float16.MAX_VALUE) {
                        throw new IllegalStateException(file + ": tensor '" + t.name() + "' holds " + v
                                + ", beyond half precision");
                    }
                }
                writer.addFloats(t.name(), DType.F16, t.shape(), values);
            }
        }
        writer.write(file);
    }
}
