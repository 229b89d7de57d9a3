package dev.perfusion.core.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perfusion.core.world.Backdrop;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.Rendering;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PixelOracleTest {

    @Test
    void onTheWorldsOwnRendersTheOracleAgreesWithTheTruth() {
        World world = new World(11);
        int n = 600;
        int background = 0;
        int colour = 0;
        int position = 0;
        int positions = 0;
        int relation = 0;
        int relations = 0;
        for (long i = 0; i < n; i++) {
            Scene scene = world.scene(World.Stream.EVALUATION, i);
            Rendering r = Renderer.render(scene, 64);
            PixelOracle.Verdict v = PixelOracle.check(scene, PixelOracle.read(r.rgb(), 64));
            background += v.background() ? 1 : 0;
            colour += v.objectColour() ? 1 : 0;
            if (v.position().isPresent()) {
                positions++;
                position += v.position().get() ? 1 : 0;
            }
            if (v.relation().isPresent()) {
                relations++;
                relation += v.relation().get() ? 1 : 0;
            }
        }
        assertThat(background).isEqualTo(n);
        assertThat(colour / (double) n).isGreaterThanOrEqualTo(0.98);
        assertThat(position / (double) positions).isGreaterThanOrEqualTo(0.98);
        assertThat(relation / (double) relations).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void aPictureOfPlainBackdropHasNoObjects() {
        int[] plain = new int[64 * 64];
        Arrays.fill(plain, Backdrop.GRASS.dominant());
        PixelOracle.Reading reading = PixelOracle.read(plain, 64);
        assertThat(reading.backdrop()).isEqualTo(Backdrop.GRASS);
        assertThat(reading.objectPixels()).isZero();
        assertThat(reading.components()).isZero();
    }

    @Test
    void aSwappedBackdropOrMovedObjectIsCaught() {
        World world = new World(12);
        for (long i = 0; i < 50; i++) {
            Scene scene = world.singleObjectScene(World.Stream.EVALUATION, i);
            Backdrop other = Backdrop.values()[(scene.backdrop().ordinal() + 3) % Backdrop.values().length];
            Scene wrong = new Scene(other, scene.objects(), scene.relation(), scene.texture());
            PixelOracle.Verdict v = PixelOracle.check(scene, PixelOracle.read(Renderer.render(wrong, 64).rgb(), 64));
            assertThat(v.background()).isFalse();
        }
    }

    @Test
    void aPictureOfTheWrongSizeIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PixelOracle.read(new int[10], 4))
                .hasMessageContaining("16 pixels, got 10");
    }
}
