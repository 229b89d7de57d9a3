package dev.perfusion.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.core.world.Captions;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionGridTest {

    @TempDir
    Path dir;

    @Test
    void placesEachPairsPicturesSideBySideAtTheirCells() throws Exception {
        World world = new World(5);
        List<CaptionGrid.Entry> entries = new ArrayList<>();
        List<int[]> truths = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Scene scene = world.scene(World.Stream.EVALUATION, i);
            int[] truth = Renderer.render(scene, 16).rgb();
            int[] generated = new int[16 * 16];
            java.util.Arrays.fill(generated, 0x00FF00 * (i % 2) + 0x0000FF);
            truths.add(truth);
            entries.add(new CaptionGrid.Entry(Captions.canonical(scene), truth, generated));
        }
        Path png = dir.resolve("grid.png");
        CaptionGrid.write(entries, 16, 32, 2, png);

        BufferedImage sheet = ImageIO.read(png.toFile());
        assertThat(sheet.getWidth()).isEqualTo(CaptionGrid.width(2, 32));
        assertThat(sheet.getHeight()).isEqualTo(3 * (32 + CaptionGrid.CAPTION + CaptionGrid.GAP) + CaptionGrid.GAP);
        for (int i = 0; i < 5; i++) {
            int x = CaptionGrid.GAP + (i % 2) * (64 + CaptionGrid.GAP);
            int y = CaptionGrid.GAP + (i / 2) * (32 + CaptionGrid.CAPTION + CaptionGrid.GAP);
            assertThat(sheet.getRGB(x + 32 + 5, y + 7) & 0xFFFFFF).isEqualTo(0x00FF00 * (i % 2) + 0x0000FF);
            assertThat(sheet.getRGB(x + 1, y + 1) & 0xFFFFFF).isEqualTo(truths.get(i)[0]);
        }
    }

    @Test
    void refusesAPictureOfTheWrongSizeNamingItsCaption() {
        CaptionGrid.Entry bad = new CaptionGrid.Entry("a red star on grass", new int[16 * 16], new int[15 * 15]);
        assertThatThrownBy(() -> CaptionGrid.write(List.of(bad), 16, 32, 2, dir.resolve("bad.png")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a red star on grass");
        assertThat(Files.exists(dir.resolve("bad.png"))).isFalse();
    }
}
