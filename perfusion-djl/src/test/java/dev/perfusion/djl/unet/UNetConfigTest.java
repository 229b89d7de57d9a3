package dev.perfusion.djl.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.model.CrossAttentionSpan;
import dev.perfusion.core.model.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UNet configs as diffusers writes them, including Stable Diffusion 1.5's shapes. */
class UNetConfigTest {

    private static final Path SD15 = Path.of("src/test/resources/configs/sd15-unet-config.json");

    @Test
    void stableDiffusion15ConfigReadsWithAttentionHeadDimAsTheHeadCount() throws IOException {
        UNetConfig c = UNetConfig.read(SD15);

        assertThat(c.blockOutChannels()).containsExactly(320, 640, 1280, 1280);
        assertThat(c.attentionHeads()).containsExactly(8, 8, 8, 8);
        assertThat(c.crossAttentionDim()).isEqualTo(768);
        assertThat(c.timeEmbedDim()).isEqualTo(1280);
        assertThat(c.downBlockTypes()).containsExactly("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D", "DownBlock2D");
        assertThat(c.useLinearProjection()).isFalse();
        assertThat(c.sampleSize()).isEqualTo(64);
    }

    @Test
    void unsupportedFeaturesAreRefusedByName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, Files.readString(SD15).replace("\"class_embed_type\": null",
                "\"class_embed_type\": \"timestep\""));
        assertThatThrownBy(() -> UNetConfig.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'class_embed_type' is set, which this port does not implement");

        Files.writeString(file, Files.readString(SD15).replace("\"DownBlock2D\"", "\"KDownBlock2D\""));
        assertThatThrownBy(() -> UNetConfig.read(file))
                .hasMessageContaining("down block type 'KDownBlock2D' is not supported");
    }

    @Test
    void theCrossAttentionSpanIsReadWrittenAndAnUnknownOneRefusedByName(@TempDir Path dir) throws IOException {
        assertThat(UNetConfig.read(SD15).crossAttentionSpan()).isEqualTo(CrossAttentionSpan.ALL);
        assertThat(UNetConfig.read(SD15).toJson().has("cross_attention_span")).isFalse();

        Path file = dir.resolve("config.json");
        UNetConfig words = UNetConfig.read(SD15).withCrossAttentionSpan(CrossAttentionSpan.WORDS);
        Files.writeString(file, words.toJson().toPrettyString());
        assertThat(UNetConfig.read(file)).isEqualTo(words);
        assertThat(words.toJson().path("cross_attention_span").asText()).isEqualTo("words");
        UNetConfig wordsAndEnd = words.withCrossAttentionSpan(CrossAttentionSpan.WORDS_AND_END);
        Files.writeString(file, wordsAndEnd.toJson().toPrettyString());
        assertThat(UNetConfig.read(file)).isEqualTo(wordsAndEnd);
        assertThat(wordsAndEnd.toJson().path("cross_attention_span").asText()).isEqualTo("words_and_end");

        Files.writeString(file, words.toJson().put("cross_attention_span", "nouns").toPrettyString());
        assertThatThrownBy(() -> UNetConfig.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("'cross_attention_span'")
                .hasMessageContaining("'nouns'")
                .hasMessageContaining("[all, words, words_and_end]");
    }
}
