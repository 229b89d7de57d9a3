package dev.perfusion.djl.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.perfusion.core.safetensors.SafeTensorsReader;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Encoder moments and decoder images against diffusers' AutoencoderKL on the fixture weights. */
class AutoencoderKLParityTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    private static AutoencoderKL vae;
    private static SafeTensorsReader ref;

    @BeforeAll
    static void load() throws IOException {
        vae = AutoencoderKL.load(Fixtures.MODEL.resolve("vae"), ENGINE.manager());
        ref = SafeTensorsReader.open(Fixtures.REFERENCE.resolve("vae.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        ref.close();
        vae.close();
    }

    @Test
    void encoderMomentsMatchTheReference() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            AutoencoderKL.LatentDistribution d = vae.encode(Fixtures.array(m, ref, "image"));
            double meanError = Fixtures.maxRelativeError(d.mean(), Fixtures.array(m, ref, "mean"));
            double logvarError = Fixtures.maxRelativeError(d.logvar(), Fixtures.array(m, ref, "logvar"));
            System.out.printf("VAE encoder max relative error: mean %.2e, logvar %.2e%n", meanError, logvarError);
            assertThat(meanError).isLessThan(1e-4);
            assertThat(logvarError).isLessThan(1e-4);
        }
    }

    @Test
    void decodedImagesMatchTheReference() throws IOException {
        try (NDManager m = ENGINE.manager().newSubManager()) {
            double error = Fixtures.maxRelativeError(vae.decode(Fixtures.array(m, ref, "latents")),
                    Fixtures.array(m, ref, "decoded"));
            System.out.printf("VAE decoder max relative error %.2e%n", error);
            assertThat(error).isLessThan(1e-4);
            assertThat(vae.scalingFactor()).isEqualTo(0.18215);
        }
    }
}
