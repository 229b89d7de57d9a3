package dev.perfusion.djl;

import dev.perfusion.api.BaseModel;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

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
                dev.perfusion.djl.pipeline.SingleFile.refusePickle(file);
                try (SafeTensorsReader reader = SafeTensorsReader.open(file)) {
                    if (reader.tensors().isEmpty()) {
                        throw new FileFormatException(file, "holds no tensors");
                    }
                }
            }
        }
    }
}
