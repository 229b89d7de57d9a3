package dev.perfusion.djl.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetTrainingRecordTest {

    @TempDir
    Path model;

    @Test
    void theUNetsCheckpointRecordChangesWhenAFrozenPartItLearnsFromIsRetrained() throws IOException {
        for (String folder : new String[] {"tokenizer", "text_encoder", "vae"}) {
            Files.createDirectories(model.resolve(folder));
            Files.writeString(model.resolve(folder).resolve("config.json"), "{\"part\": \"" + folder + "\"}");
        }
        Path weights = model.resolve("text_encoder/model.safetensors");
        Files.write(weights, new byte[] {1, 2, 3});
        EmbeddedRecipe recipe = EmbeddedRecipe.standard();

        JsonNode first = UNetTraining.record(recipe, model);
        assertThat(UNetTraining.record(recipe, model)).isEqualTo(first);
        assertThat(first.get("frozen_parts_sha256").get("text_encoder/model.safetensors").asText())
                .isEqualTo("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
        assertThat(first.get("frozen_parts_sha256").size()).isEqualTo(4);

        Files.write(weights, new byte[] {1, 2, 4});
        JsonNode retrained = UNetTraining.record(recipe, model);
        assertThat(retrained).isNotEqualTo(first);
        assertThat(retrained.get("part_recipe")).isEqualTo(first.get("part_recipe"));
    }
}
