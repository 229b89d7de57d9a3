package dev.perfusion.djl.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.core.safetensors.TensorInfo;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Noise prediction against diffusers' UNet2DConditionModel on the fixture weights. */
class UNetParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static UNet2DConditionModel unet;
    private static SafeTensorsReader ref;

    @BeforeAll
    static void load() throws IOException {
        unet = UNet2DConditionModel.load(Fixtures.MODEL.resolve("unet"), ENGINE.manager());
        ref = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("unet.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        ref.close();
        unet.close();
    }

    @Test
    void noisePredictionMatchesTheReference() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray actual = unet.forward(Fixtures.array(m, ref, "latents"), Fixtures.array(m, ref, "timesteps"),
                    Fixtures.array(m, ref, "encoder_hidden_states"));
            NDArray expected = Fixtures.array(m, ref, "noise_pred");

            assertThat(actual.getShape()).isEqualTo(expected.getShape());
            double error = Fixtures.maxRelativeError(actual, expected);
            System.out.printf("UNet max relative error %.2e%n", error);
            assertThat(error).isLessThan(1e-4);
        }
    }

    @Test
    void observedAttentionMatchesTheReferenceAndShowsEveryLayersWeights() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray context = Fixtures.array(m, ref, "encoder_hidden_states");
            java.util.Map<String, float[]> rowSums = new java.util.LinkedHashMap<>();
            NDArray actual;
            try (TextConditioning text = TextConditioning.observed(context, java.util.Map.of(),
                    (layer, weights) -> rowSums.put(layer, weights.sum(new int[] {-1}).toFloatArray()))) {
                actual = unet.forward(Fixtures.array(m, ref, "latents"), Fixtures.array(m, ref, "timesteps"), text);
            }
            assertThat(Fixtures.maxRelativeError(actual, Fixtures.array(m, ref, "noise_pred"))).isLessThan(1e-4);
            assertThat(rowSums.keySet()).containsExactlyElementsOf(unet.crossAttentionLayers().stream()
                    .map(CrossAttentionLayer::name).toList());
            for (float[] sums : rowSums.values()) {
                for (float sum : sums) {
                    assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        }
    }

    @Test
    void gradientsReachTheTextEncodingsAsInPyTorch() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray text = Fixtures.array(m, ref, "encoder_hidden_states");
            text.setRequiresGradient(true);
            try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
                NDArray out = unet.forward(Fixtures.array(m, ref, "latents"), Fixtures.array(m, ref, "timesteps"),
                        text);
                collector.backward(out.mul(Fixtures.array(m, ref, "loss_weights")).sum());
            }
            double error = Fixtures.maxRelativeError(text.getGradient(),
                    Fixtures.array(m, ref, "encoder_hidden_states_grad"));
            System.out.printf("UNet gradient max relative error %.2e%n", error);
            assertThat(error).isLessThan(1e-4);
        }
    }

    @Test
    void latentsWhoseSidesHalveToOddSizesMatchTheReference() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray actual = unet.forward(Fixtures.array(m, ref, "odd_latents"),
                    Fixtures.array(m, ref, "timesteps").get("0:1"),
                    Fixtures.array(m, ref, "encoder_hidden_states").get("0:1"));
            NDArray expected = Fixtures.array(m, ref, "odd_noise_pred");

            assertThat(actual.getShape()).isEqualTo(expected.getShape());
            assertThat(Fixtures.maxRelativeError(actual, expected)).isLessThan(1e-4);
        }
    }

    @Test
    void anFp16VariantLoadsAsFloat32WithHalfPrecisionWeights(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("unet");
        Files.createDirectories(folder);
        Files.copy(Fixtures.MODEL.resolve("unet/config.json"), folder.resolve("config.json"));
        SafeTensorsWriter half = new SafeTensorsWriter();
        try (SafeTensorsReader source = SafeTensorsReader.open(
                Fixtures.MODEL.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            for (TensorInfo t : source.tensors().values()) {
                half.addFloats(t.name(), DType.F16, t.shape(), source.readFloats(t.name()));
            }
        }
        half.write(folder.resolve("diffusion_pytorch_model.fp16.safetensors"));

        try (NDManager m = ENGINE.manager().newSubManager();
                UNet2DConditionModel fp16 = UNet2DConditionModel.load(folder, m)) {
            NDArray latents = Fixtures.array(m, ref, "latents");
            NDArray timesteps = Fixtures.array(m, ref, "timesteps");
            NDArray context = Fixtures.array(m, ref, "encoder_hidden_states");
            NDArray actual = fp16.forward(latents, timesteps, context);

            assertThat(actual.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
            double error = Fixtures.maxRelativeError(actual, unet.forward(latents, timesteps, context));
            assertThat(error).isGreaterThan(0).isLessThan(1e-2);
        }
    }

    @Test
    void everyCrossAttentionLayerIsExposedByItsCheckpointName() {
        assertThat(unet.crossAttentionLayers()).extracting(CrossAttentionLayer::name).containsExactly(
                "down_blocks.0.attentions.0.transformer_blocks.0.attn2",
                "down_blocks.0.attentions.1.transformer_blocks.0.attn2",
                "down_blocks.1.attentions.0.transformer_blocks.0.attn2",
                "down_blocks.1.attentions.1.transformer_blocks.0.attn2",
                "mid_block.attentions.0.transformer_blocks.0.attn2",
                "up_blocks.1.attentions.0.transformer_blocks.0.attn2",
                "up_blocks.1.attentions.1.transformer_blocks.0.attn2",
                "up_blocks.1.attentions.2.transformer_blocks.0.attn2",
                "up_blocks.2.attentions.0.transformer_blocks.0.attn2",
                "up_blocks.2.attentions.1.transformer_blocks.0.attn2",
                "up_blocks.2.attentions.2.transformer_blocks.0.attn2");
        assertThat(unet.crossAttentionLayers().get(0).keyWeight().getShape().getShape()).containsExactly(8, 32);
    }

    @Test
    void anEditGivenForOneCallChangesThatCallAloneAndLeavesTheModelAsItWas() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            NDArray latents = Fixtures.array(m, ref, "latents");
            NDArray timesteps = Fixtures.array(m, ref, "timesteps");
            NDArray context = Fixtures.array(m, ref, "encoder_hidden_states");
            NDArray before = unet.forward(latents, timesteps, context);
            CrossAttentionLayer layer = unet.crossAttentionLayers().get(4);
            NDArray value = layer.valueWeight();

            NDArray key = layer.keyWeight();
            NDArray edited;
            try (TextConditioning text = TextConditioning.edited(context, java.util.Map.of(layer.name(),
                    new TextConditioning.LayerEdit(x -> x.matMul(key.transpose()),
                            x -> x.matMul(value.transpose()).mul(3))))) {
                edited = unet.forward(latents, timesteps, text);
            }
            NDArray restored = unet.forward(latents, timesteps, context);

            assertThat(Fixtures.maxRelativeError(edited, before)).isGreaterThan(1e-3);
            assertThat(Fixtures.maxRelativeError(restored, before)).isEqualTo(0.0);
        }
    }
}
