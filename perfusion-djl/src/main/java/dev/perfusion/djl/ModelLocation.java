package dev.perfusion.djl;

import dev.perfusion.api.BaseModel;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Checks that a base model's files are where the model says and in a format the backend loads safely. */
final class ModelLocation {

    private ModelLocation() {
    }

    static void check(BaseModel model) throws IOException {
        switch (model.kind()) {
            case EMBEDDED -> {
            }
            case DIFFUSERS -> {
                Path folder = model.location().orElseThrow();
                if (!Files.isRegularFile(folder.resolve("model_index.json"))) {
                    throw new NoSuchFileException(folder.resolve("model_index.json").toString(), null,
                            "a diffusers model folder holds model_index.json");
                }
            }
            case SINGLE_FILE -> {
                Path file = model.location().orElseThrow();
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".ckpt") || name.endsWith(".bin") || name.endsWith(".pt")
                        || name.endsWith(".pth")) {
                    throw new FileFormatException(file, "is a pickle checkpoint, which can run code when loaded; "
                            + "convert it to .safetensors first (for instance with the safetensors 'convert' "
                            + "tool or diffusers' conversion scripts) and load that");
                }
                try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
                    if (reader.tensors().isEmpty()) {
                        throw new FileFormatException(file, "holds no tensors");
                    }
                }
            }
        }
    }
}
