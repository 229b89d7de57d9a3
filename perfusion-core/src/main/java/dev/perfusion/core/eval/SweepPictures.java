package dev.perfusion.core.eval;

import dev.perfusion.core.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Sweeps as pictures and tables: the image grid (settings by prompts), the plot of text similarity against image
 * similarity with each setting's 95% confidence interval, and the table of means ({@link SweepCsv} writes the
 * points). Files are written atomically.
 */
public final class SweepPictures {

    private SweepPictures() {
    }

    /**
     * One series of the plot.
     *
     * @param name    the legend's name (Perfusion, a baseline)
     * @param points  the series' settings
     * @param curve   whether to join the points as a curve (a knob's settings) or leave them as markers
     */
    public record Series(String name, List<FidelitySweep.Summary> points, boolean curve) {
    }

    /** The image grid: one row per setting, one column per prompt, each image upscaled to {@code cell} pixels. */
    public static void grid(FidelitySweep.Result result, Path png, int cell) throws IOException {
        int rows = result.images().size();
        int columns = result.images().get(0).size();
        int label = 120;
        BufferedImage out = new BufferedImage(label + columns * cell, rows * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int r = 0; r < rows; r++) {
            g.setColor(Color.BLACK);
            g.drawString(result.settings().get(r).setting(), 6, r * cell + cell / 2);
            for (int c = 0; c < columns; c++) {
                g.drawImage(Pictures.image(result.images().get(r).get(c), result.size()), label + c * cell, r * cell,
                        cell, cell, null);
            }
        }
        g.dispose();
        AtomicFiles.write(png, o -> ImageIO.write(out, "png", o));
    }

    /** The front: text similarity across, image similarity up, error bars of both measures' 95% intervals. */
    public static void plot(String title, List<Series> series, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(650).title(title).xAxisTitle("text similarity")
                .yAxisTitle("image similarity").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(9);
        java.awt.Color[] palette = chart.getStyler().getSeriesColors();
        for (int n = 0; n < series.size(); n++) {
            Series s = series.get(n);
            double[] x = s.points().stream().mapToDouble(FidelitySweep.Summary::text).toArray();
            double[] y = s.points().stream().mapToDouble(FidelitySweep.Summary::image).toArray();
            double[] error = s.points().stream().mapToDouble(p -> Double.isNaN(p.imageCi()) ? 0 : p.imageCi())
                    .toArray();
            XYSeries line = chart.addSeries(s.name(), x, y, error);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineColor(palette[n % palette.length]);
            line.setMarkerColor(palette[n % palette.length]);
            if (s.curve()) {
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                line.setLineStyle(new BasicStroke(2f));
            } else {
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
            for (int i = 0; i < s.points().size(); i++) {
                FidelitySweep.Summary p = s.points().get(i);
                if (!Double.isNaN(p.textCi())) {
                    XYSeries bar = chart.addSeries(s.name() + " text interval " + i,
                            new double[] {p.text() - p.textCi(), p.text() + p.textCi()},
                            new double[] {p.image(), p.image()});
                    bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    bar.setMarker(SeriesMarkers.NONE);
                    bar.setLineColor(chart.getStyler().getErrorBarsColor());
                    bar.setLineStyle(new BasicStroke(0.8f));
                    bar.setShowInLegend(false);
                }
            }
        }
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(png, o -> ImageIO.write(image, "png", o));
    }

    /** A table of settings' means with their intervals, in Markdown. */
    public static String table(List<Variant> variants) {
        StringBuilder b = new StringBuilder("| variant | setting | image similarity | text similarity | Pareto |\n");
        b.append("|---|---|---|---|---|\n");
        for (Variant v : variants) {
            for (FidelitySweep.Summary s : v.result().settings()) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %.3f +- %.3f | %.3f +- %.3f | %s |%n", v.name(),
                        s.setting(), s.image(), s.imageCi(), s.text(), s.textCi(),
                        v.result().pareto().contains(s) ? "yes" : ""));
            }
        }
        return b.toString();
    }

    /**
     * A named sweep, such as one variant of a concept.
     *
     * @param name   the variant's name
     * @param result its sweep
     */
    public record Variant(String name, FidelitySweep.Result result) {
    }
}
