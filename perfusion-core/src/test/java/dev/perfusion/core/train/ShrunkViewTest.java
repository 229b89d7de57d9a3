package dev.perfusion.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShrunkViewTest {

    private static final int SIDE = 32;

    /** A picture of a red square (x and y in [8, 24)) on a backdrop whose colour encodes the pixel's column. */
    private static int[] picture() {
        int[] rgb = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                boolean inside = x >= 8 && x < 24 && y >= 8 && y < 24;
                rgb[y * SIDE + x] = inside ? 0xff0000 : (x * 8) << 8;
            }
        }
        return rgb;
    }

    private static float[] squareMask() {
        float[] mask = new float[SIDE * SIDE];
        for (int y = 8; y < 24; y++) {
            for (int x = 8; x < 24; x++) {
                mask[y * SIDE + x] = 1;
            }
        }
        return mask;
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    @Test
    void scaleOneLeavesThePhotoAndMaskUnchanged() {
        ShrunkView view = ShrunkView.of(picture(), squareMask(), SIDE, 1, 0.3, 0.8);

        assertThat(view.rgb()).containsExactly(picture());
        assertThat(view.mask()).containsExactly(squareMask());
    }

    @Test
    void halfScaleQuartersTheMaskAreaAndPlacesItAtTheRequestedCorner() {
        ShrunkView view = ShrunkView.of(picture(), squareMask(), SIDE, 0.5, 1, 0);

        assertThat(sum(view.mask())).isCloseTo(sum(squareMask()) / 4, within(1e-3));
        // The shrunk photo occupies x in [16, 32), y in [0, 16); its square is x in [20, 28), y in [4, 12).
        assertThat(view.mask()[8 * SIDE + 24]).isEqualTo(1f);
        assertThat(view.rgb()[8 * SIDE + 24]).isEqualTo(0xff0000);
        assertThat(view.mask()[24 * SIDE + 8]).isZero();
    }

    @Test
    void theCanvasOutsideTheShrunkPhotoRepeatsItsNearestBorderPixel() {
        ShrunkView view = ShrunkView.of(picture(), squareMask(), SIDE, 0.5, 0, 0);

        for (int y = 0; y < SIDE; y++) {
            // Right of the shrunk photo, each row repeats the photo's last column.
            int edge = view.rgb()[Math.min(y, 15) * SIDE + 15];
            for (int x = 16; x < SIDE; x++) {
                assertThat(view.rgb()[y * SIDE + x]).isEqualTo(edge);
                assertThat(view.mask()[y * SIDE + x]).isZero();
            }
        }
    }

    @Test
    void randomViewsAreReproducibleForASeedAndStayWithinTheScaleRange() {
        for (int i = 0; i < 20; i++) {
            ShrunkView a = ShrunkView.random(picture(), squareMask(), SIDE, 0.6, new SplittableRandom(i));
            ShrunkView b = ShrunkView.random(picture(), squareMask(), SIDE, 0.6, new SplittableRandom(i));

            assertThat(a.rgb()).containsExactly(b.rgb());
            double area = sum(a.mask()) / sum(squareMask());
            assertThat(area).isBetween(0.6 * 0.6 * 0.85, 1.0 * 1.05);
        }
    }

    @Test
    void refusesScalesAndPlacesOutOfRange() {
        assertThatThrownBy(() -> ShrunkView.of(picture(), squareMask(), SIDE, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        assertThatThrownBy(() -> ShrunkView.of(picture(), squareMask(), SIDE, 0.5, 1.5, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("place");
        assertThatThrownBy(() -> ShrunkView.of(picture(), new float[3], SIDE, 0.5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32x32");
    }
}
