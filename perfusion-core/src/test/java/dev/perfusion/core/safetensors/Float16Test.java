package dev.perfusion.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void everyHalfPrecisionPatternSurvivesTheRoundTripThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = Float16.toFloat((short) bits);
            assertThat(Float16.fromFloat(f) & 0xffff).as("pattern %04x", bits).isEqualTo(bits);
        }
    }

    @Test
    void knownValuesDecodeExactly() {
        assertThat(Float16.toFloat((short) 0x3c00)).isEqualTo(1.0f);
        assertThat(Float16.toFloat((short) 0xc000)).isEqualTo(-2.0f);
        assertThat(Float16.toFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Float16.toFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(Float16.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float16.toFloat((short) 0x7e00)).isNaN();
    }

    @Test
    void floatsRoundToTheNearestHalfWithTiesToEven() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-26, 17)));
            int h = Float16.fromFloat(f) & 0xffff;
            float rounded = Float16.toFloat((short) h);
            double error = Math.abs((double) rounded - f);
            for (int neighbour : new int[] {h - 1, h + 1}) {
                if ((neighbour & 0x7fff) >= 0x7c00 || neighbour < 0 || (neighbour ^ h) > 0x7fff) {
                    continue;
                }
                double other = Math.abs((double) Float16.toFloat((short) neighbour) - f);
                assertThat(error).as("%s -> %04x", f, h).isLessThanOrEqualTo(other);
                if (error == other) {
                    assertThat(h & 1).as("tie of %s goes to even", f).isZero();
                }
            }
        }
    }

    @Test
    void overflowGivesInfinityAndTinyValuesFlushToSignedZero() {
        assertThat(Float16.fromFloat(65520f)).isEqualTo((short) 0x7c00);
        assertThat(Float16.fromFloat(65519f)).isEqualTo((short) 0x7bff);
        assertThat(Float16.fromFloat(-1e-10f)).isEqualTo((short) 0x8000);
        assertThat(Float16.fromFloat(0x1p-25f)).isEqualTo((short) 0);
        assertThat(Float16.fromFloat(0x1.8p-25f)).isEqualTo((short) 1);
    }

    @Test
    void bfloat16KeepsTheUpperHalfRoundedToNearestEven() {
        assertThat(Float16.bfloat16ToFloat(Float16.floatToBfloat16(1.0f))).isEqualTo(1.0f);
        assertThat(Float16.floatToBfloat16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80);
        assertThat(Float16.floatToBfloat16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
        assertThat(Float16.floatToBfloat16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
        assertThat(Float16.bfloat16ToFloat(Float16.floatToBfloat16(Float.NaN))).isNaN();
    }
}
