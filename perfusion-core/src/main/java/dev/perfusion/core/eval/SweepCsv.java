package dev.perfusion.core.eval;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.perfusion.core.io.AtomicFiles;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sweeps as CSV files, one row per image ({@value #HEADER}), written atomically and read back, so that a sweep's
 * tables and verdicts can be computed again, or on a subset of its prompts, without rendering it again.
 */
public final class SweepCsv {

    /** The header row. */
    public static final String HEADER = "variant,setting,prompt,seed,image_similarity,text_similarity";

    private static final CsvMapper MAPPER = new CsvMapper();
    private static final CsvSchema SCHEMA = CsvSchema.builder().addColumn("variant").addColumn("setting")
            .addColumn("prompt").addColumn("seed").addColumn("image_similarity").addColumn("text_similarity")
            .setUseHeader(true).build();

    private SweepCsv() {
    }

    /** Writes every point of every variant, in order. */
    public static void write(List<SweepPictures.Variant> variants, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try (SequenceWriter rows = MAPPER.writer(SCHEMA).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .writeValues(writer)) {
                for (SweepPictures.Variant v : variants) {
                    for (FidelitySweep.Point p : v.result().points()) {
                        rows.write(List.of(v.name(), p.setting(), p.prompt(), Long.toString(p.seed()),
                                String.format(Locale.ROOT, "%.5f", p.imageSimilarity()),
                                String.format(Locale.ROOT, "%.5f", p.textSimilarity())));
                    }
                }
            }
            writer.flush();
        });
    }

    /**
     * Reads a file {@link #write} wrote: one variant per distinct {@code variant}, in the order they first appear,
     * each a {@link FidelitySweep.Result#of result} of its points without images.
     *
     * @throws FileFormatException naming the file and line when the header or a value is not what was written
     */
    public static List<SweepPictures.Variant> read(Path file, String concept) throws IOException {
        Map<String, List<FidelitySweep.Point>> byVariant = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                MappingIterator<Map<String, String>> rows = MAPPER.readerForMapOf(String.class)
                        .with(CsvSchema.emptySchema().withHeader()).readValues(reader)) {
            for (long line = 2; rows.hasNextValue(); line++) {
                Map<String, String> row = rows.nextValue();
                for (String column : SCHEMA.getColumnNames()) {
                    if (row.get(column) == null) {
                        throw new FileFormatException(file, "line " + line + " has no column '" + column
                                + "'; a sweep CSV has the header " + HEADER);
                    }
                }
                try {
                    byVariant.computeIfAbsent(row.get("variant"), k -> new ArrayList<>()).add(new FidelitySweep.Point(
                            row.get("setting"), row.get("prompt"), Long.parseLong(row.get("seed")),
                            Double.parseDouble(row.get("image_similarity")),
                            Double.parseDouble(row.get("text_similarity"))));
                } catch (NumberFormatException e) {
                    throw new FileFormatException(file, "line " + line + ": seed or similarity is not a number ("
                            + e.getMessage() + ")", e);
                }
            }
        } catch (JsonProcessingException e) {
            throw new FileFormatException(file, "is not a readable CSV: " + e.getOriginalMessage(), e);
        }
        if (byVariant.isEmpty()) {
            throw new FileFormatException(file, "holds no points");
        }
        List<SweepPictures.Variant> out = new ArrayList<>();
        byVariant.forEach((name, points) -> out.add(new SweepPictures.Variant(name,
                FidelitySweep.Result.of(concept, points))));
        return out;
    }
}
