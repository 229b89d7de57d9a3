package dev.perfusion.core.concept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perfusion.api.Concept;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.KeyLockForm;
import dev.perfusion.core.concept.ConceptFile.Precision;
import dev.perfusion.core.io.AtomicFiles;
import dev.perfusion.core.io.FileFormatException;
import dev.perfusion.core.safetensors.DType;
import dev.perfusion.core.safetensors.SafeTensorsWriter;
import dev.perfusion.core.testing.RandomData;
import dev.perfusion.core.testing.SampleConcepts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptFileTest {

    @TempDir
    Path dir;

    @Test
    void conceptsRoundTripBitExactlyInBothPrecisions() throws IOException {
        Concept tom = SampleConcepts.sd15("tom", 1);
        for (Precision precision : Precision.values()) {
            Path file = dir.resolve("tom-" + precision + ConceptFile.SUFFIX);
            ConceptFile.write(tom, file, precision);
            byte[] written = Files.readAllBytes(file);

            Concept read = ConceptFile.read(file);

            assertThat(read).isEqualTo(tom);
            assertThat(read.layers()).containsExactlyElementsOf(tom.layers());
            assertThat(ConceptFile.toBytes(read, precision)).isEqualTo(written);
        }
    }

    @Test
    void halfPrecisionStoresTheNearestHalfAndSinglePrecisionStoresEveryBit() throws IOException {
        float[] odd = new RandomData(4).floats(768);
        Concept c = SampleConcepts.sd15("odd", 2).toBuilder().conceptInput(odd).build();
        Path half = dir.resolve("h.perfusion");
        Path single = dir.resolve("s.perfusion");
        ConceptFile.write(c, half, Precision.FP16);
        ConceptFile.write(c, single, Precision.FP32);

        assertThat(ConceptFile.read(single).conceptInput()).containsExactly(odd);
        float[] rounded = ConceptFile.read(half).conceptInput();
        for (int i = 0; i < odd.length; i++) {
            assertThat(Math.abs(rounded[i] - odd[i])).isLessThanOrEqualTo(Math.ulp(rounded[i]) * 4096);
        }
    }

    @Test
    void anSd15ConceptTakesAboutThirtyKilobytesInHalfPrecision() throws IOException {
        Path file = dir.resolve("tom.perfusion");
        ConceptFile.write(SampleConcepts.sd15("tom", 1), file);
        // 768 * 3 + 12,480 value floats + 640 key floats, two bytes each, plus the header.
        long payload = 2L * (768 * 3 + 12_480 + 640);
        assertThat(Files.size(file)).isBetween(payload, payload + 4096);
    }

    @Test
    void aFailedWriteLeavesTheExistingFileAndNoTemporaryBehind() throws IOException {
        Path file = dir.resolve("tom.perfusion");
        Concept tom = SampleConcepts.sd15("tom", 1);
        ConceptFile.write(tom, file);
        float[] huge = tom.valueTarget(SampleConcepts.layer(0));
        huge[3] = 70_000f;
        Concept overflowing = tom.toBuilder().valueTarget(SampleConcepts.layer(0), huge).build();

        assertThatThrownBy(() -> ConceptFile.write(overflowing, file))
                .hasMessageContaining("value 70000.0 at 3 overflows half precision");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(new byte[100]);
            throw new IOException("disk full");
        })).hasMessage("disk full");

        assertThat(ConceptFile.read(file)).isEqualTo(tom);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aWrittenFileGetsThePermissionsOfAnyNewFileNotPrivateTemporaryOnes() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews()
                .contains("posix"));
        Path file = dir.resolve("tom.perfusion");
        ConceptFile.write(SampleConcepts.sd15("tom", 1), file);
        Path plain = Files.createFile(dir.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void anUnknownFormatVersionIsRejected() throws IOException {
        Path file = rewriteVersion(SampleConcepts.sd15("tom", 1), "5");
        assertThatThrownBy(() -> ConceptFile.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("has concept format version 5; this SDK reads versions 1 to 4");
    }

    @Test
    void theEditScopeRoundTripsAndFilesBeforeVersion3ReachAllTokens() throws IOException {
        Concept scoped = SampleConcepts.sd15("tom", 1).toBuilder().editScope(EditScope.CONCEPT_TOKEN).build();
        Path file = dir.resolve("scoped.perfusion");
        ConceptFile.write(scoped, file);
        assertThat(ConceptFile.read(file).editScope()).isEqualTo(EditScope.CONCEPT_TOKEN);

        Path old = dir.resolve("old.perfusion");
        tinyConcept(conceptWriter(List.of("l0")).metadata("format_version", "2").metadata("method", "perfusion"))
                .write(old);
        assertThat(ConceptFile.read(old).editScope()).isEqualTo(EditScope.ALL_TOKENS);
    }

    @Test
    void theKeyLockFormRoundTripsAndFilesBeforeVersion4AreGated() throws IOException {
        Concept proportional = SampleConcepts.sd15("tom", 1).toBuilder().keyLockForm(KeyLockForm.PROPORTIONAL)
                .build();
        Path file = dir.resolve("proportional.perfusion");
        ConceptFile.write(proportional, file);
        assertThat(ConceptFile.read(file).keyLockForm()).isEqualTo(KeyLockForm.PROPORTIONAL);
        assertThat(ConceptFile.read(file)).isEqualTo(proportional);

        Path old = dir.resolve("old.perfusion");
        tinyConcept(conceptWriter(List.of("l0")).metadata("format_version", "3").metadata("method", "perfusion")
                .metadata("edit_scope", "all-tokens")).write(old);
        assertThat(ConceptFile.read(old).keyLockForm()).isEqualTo(KeyLockForm.GATED);
    }

    @Test
    void aVersion4FileWithoutAKnownKeyLockFormIsRejectedByName() throws IOException {
        Path file = dir.resolve("lock.perfusion");
        tinyConcept(conceptWriter(List.of("l0")).metadata("format_version", "4").metadata("method", "perfusion")
                .metadata("edit_scope", "all-tokens")).write(file);
        assertThatThrownBy(() -> ConceptFile.read(file)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("has no 'key_lock_form' in its metadata");

        tinyConcept(conceptWriter(List.of("l0")).metadata("format_version", "4").metadata("method", "perfusion")
                .metadata("edit_scope", "all-tokens").metadata("key_lock_form", "loose")).write(file);
        assertThatThrownBy(() -> ConceptFile.read(file)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("metadata 'key_lock_form': unknown key lock form 'loose'");
    }

    @Test
    void aVersion3FileWithoutAKnownEditScopeIsRejectedByName() throws IOException {
        Path file = dir.resolve("scope.perfusion");
        tinyConcept(conceptWriter(List.of("l0")).metadata("format_version", "3").metadata("method", "perfusion"))
                .write(file);
        assertThatThrownBy(() -> ConceptFile.read(file)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("has no 'edit_scope' in its metadata");

        tinyConcept(conceptWriter(List.of("l0")).metadata("format_version", "3").metadata("method", "perfusion")
                .metadata("edit_scope", "everywhere")).write(file);
        assertThatThrownBy(() -> ConceptFile.read(file)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("metadata 'edit_scope': unknown edit scope 'everywhere'");
    }

    private static SafeTensorsWriter tinyConcept(SafeTensorsWriter writer) {
        for (String name : List.of("token_embedding", "concept_input", "supercategory_input", "value_target.l0")) {
            writer.addFloats(name, DType.F16, new long[] {2}, new float[] {1, 2});
        }
        return writer;
    }

    @Test
    void aSafetensorsFileThatIsNotAConceptIsRejected() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafeTensorsWriter().addFloats("w", DType.F32, new long[] {1}, new float[] {1}).write(file);
        assertThatThrownBy(() -> ConceptFile.read(file))
                .hasMessageContaining("is not a Perfusion concept file (format 'null'");
    }

    @Test
    void nonFiniteValuesAreRejectedWithTheTensorAndIndex() throws IOException {
        Path file = dir.resolve("nan.perfusion");
        SafeTensorsWriter writer = conceptWriter(List.of("l0"));
        writer.addFloats("token_embedding", DType.F16, new long[] {2}, new float[] {1, 2});
        writer.addFloats("concept_input", DType.F16, new long[] {2}, new float[] {1, 2});
        writer.addFloats("supercategory_input", DType.F16, new long[] {2}, new float[] {1, 2});
        writer.add("value_target.l0", DType.F16, new long[] {2}, new byte[] {0, 0, 0, 0x7c});
        writer.write(file);

        assertThatThrownBy(() -> ConceptFile.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("tensor 'value_target.l0' holds a non-finite value Infinity at index 1");
    }

    @Test
    void wrongDtypesShapesAndStrayTensorsAreRejected() throws IOException {
        Path file = dir.resolve("bad.perfusion");
        SafeTensorsWriter bf16 = conceptWriter(List.of("l0"));
        bf16.addFloats("token_embedding", DType.BF16, new long[] {2}, new float[] {1, 2});
        bf16.write(file);
        assertThatThrownBy(() -> ConceptFile.read(file))
                .hasMessageContaining("tensor 'token_embedding' has dtype BF16, expected F16 or F32");

        SafeTensorsWriter square = conceptWriter(List.of("l0"));
        square.addFloats("token_embedding", DType.F16, new long[] {1, 2}, new float[] {1, 2});
        square.write(file);
        assertThatThrownBy(() -> ConceptFile.read(file))
                .hasMessageContaining("tensor 'token_embedding' has shape [1, 2], expected one non-empty dimension");

        SafeTensorsWriter stray = conceptWriter(List.of("l0"));
        for (String name : List.of("token_embedding", "concept_input", "supercategory_input", "value_target.l0",
                "value_target.l9")) {
            stray.addFloats(name, DType.F16, new long[] {2}, new float[] {1, 2});
        }
        stray.write(file);
        assertThatThrownBy(() -> ConceptFile.read(file))
                .hasMessageContaining("has tensor 'value_target.l9', which belongs to no layer");

        SafeTensorsWriter missing = conceptWriter(List.of("l0"));
        missing.addFloats("token_embedding", DType.F16, new long[] {2}, new float[] {1, 2});
        missing.write(file);
        assertThatThrownBy(() -> ConceptFile.read(file)).hasMessageContaining("has no tensor 'concept_input'");
    }

    @Test
    void randomlyCorruptedFilesFailOnlyWithAFormatError() throws IOException {
        byte[] good = ConceptFile.toBytes(SampleConcepts.sd15("tom", 3), Precision.FP16);
        SplittableRandom random = new SplittableRandom(5);
        Path file = dir.resolve("fuzz.perfusion");
        int rejected = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] bad = good.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                // Aim most flips at the length field and header, where structure lives.
                int at = random.nextInt(4) == 0 ? random.nextInt(bad.length) : random.nextInt(Math.min(bad.length, 1600));
                bad[at] ^= (byte) (1 << random.nextInt(8));
            }
            if (random.nextInt(10) == 0) {
                bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
            }
            Files.write(file, bad);
            try {
                ConceptFile.read(file);
            } catch (FileFormatException expected) {
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(500);
    }

    private SafeTensorsWriter conceptWriter(List<String> layers) {
        return new SafeTensorsWriter()
                .metadata("format", ConceptFile.FORMAT)
                .metadata("format_version", "1")
                .metadata("name", "x")
                .metadata("supercategory", "cat")
                .metadata("base_model", "m")
                .metadata("layers", layers.stream().map(l -> "\"" + l + "\"").toList().toString())
                .metadata("key_gate", "{\"bias\":0.7,\"temperature\":0.15}")
                .metadata("value_gate", "{\"bias\":0.7,\"temperature\":0.15}")
                .metadata("training", "{}");
    }

    /** The concept's file with the metadata version number replaced by {@code value}. */
    private Path rewriteVersion(Concept concept, String value) throws IOException {
        String key = "format_version";
        Path file = dir.resolve("rewritten.perfusion");
        ConceptFile.write(concept, file, Precision.FP32);
        String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        String before = "\"" + key + "\":\"" + ConceptFile.VERSION + "\"";
        assertThat(text).contains(before);
        Files.write(file, text.replace(before, "\"" + key + "\":\"" + value + "\"")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return file;
    }
}
