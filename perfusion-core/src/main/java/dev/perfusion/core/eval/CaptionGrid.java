package dev.perfusion.core.eval;

import dev.perfusion.core.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG that sets what a model generated for a caption beside the world's own picture for that caption, with the
 * caption under the pair: the sample grids of the embedded model's documentation.
 */
public final class CaptionGrid {

    /** Pixels between two pairs and around the sheet. */
    static final int GAP = 12;
    /** Room under each pair for two lines of caption. */
    static final int CAPTION = 34;

    private CaptionGrid() {
    }

    /**
     * One caption and its two pictures, square, {@code size} pixels a side, as packed 0xRRGGBB.
     *
     * @param caption   the caption both pictures are for
     * @param truth     the world's picture
     * @param generated the model's picture
     */
    public record Entry(String caption, int[] truth, int[] generated) {
    }

    /**
     * Writes the sheet atomically: {@code perRow} pairs a row, each picture upscaled to {@code cell} pixels.
     *
     * @throws IllegalArgumentException if there are no entries or a picture is not {@code size x size}
     */
    public static void write(List<Entry> entries, int size, int cell, int perRow, Path png) throws IOException {
        if (entries.isEmpty() || perRow < 1 || cell < 1) {
            throw new IllegalArgumentException("a caption grid needs entries, a positive row length and cell size");
        }
        for (Entry e : entries) {
            if (e.truth().length != size * size || e.generated().length != size * size) {
                throw new IllegalArgumentException("the pictures for \"" + e.caption() + "\" are not " + size + "x"
                        + size);
            }
        }
        int columns = Math.min(perRow, entries.size());
        int rows = (entries.size() + perRow - 1) / perRow;
        int pairWidth = 2 * cell;
        BufferedImage out = new BufferedImage(width(columns, cell), rows * (cell + CAPTION + GAP) + GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        FontMetrics metrics = g.getFontMetrics();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int x = GAP + (i % perRow) * (pairWidth + GAP);
            int y = GAP + (i / perRow) * (cell + CAPTION + GAP);
            g.drawImage(Pictures.image(e.truth(), size), x, y, cell, cell, null);
            g.drawImage(Pictures.image(e.generated(), size), x + cell, y, cell, cell, null);
            List<String> lines = wrap(e.caption(), metrics, pairWidth);
            for (int l = 0; l < Math.min(2, lines.size()); l++) {
                g.drawString(lines.get(l), x, y + cell + (l + 1) * metrics.getHeight());
            }
        }
        g.dispose();
        AtomicFiles.write(png, o -> ImageIO.write(out, "png", o));
    }

    /** The sheet's width for {@code columns} pairs of {@code cell}-pixel pictures. */
    static int width(int columns, int cell) {
        return GAP + columns * (2 * cell + GAP);
    }

    private static List<String> wrap(String text, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String next = line.isEmpty() ? word : line + " " + word;
            if (metrics.stringWidth(next) > width && !line.isEmpty()) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(next);
            }
        }
        lines.add(line.toString());
        return lines;
    }
}
