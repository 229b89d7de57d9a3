package dev.perfusion.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.perfusion.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns a CLIP byte-level BPE vocabulary from a corpus, as CLIP's was learnt from its captions: every text is
 * normalised and split as {@link ClipTokenizer} splits it, and the most frequent adjacent pair of symbols (ties broken
 * by the pair's text, so the result is deterministic) is merged, again and again, while some pair occurs at least
 * {@code minFrequency} times. The vocabulary is laid out as CLIP's: the 256 byte characters, the same with
 * {@code </w>}, the merged symbols in merge order, then the start and end tokens.
 */
public final class BpeTrainer {

    private BpeTrainer() {
    }

    /**
     * A learnt vocabulary.
     *
     * @param vocab  token to id
     * @param merges merge rules in rank order, "a b" each
     */
    public record Vocabulary(Map<String, Integer> vocab, List<String> merges) {

        public Vocabulary {
            vocab = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
            merges = List.copyOf(merges);
        }

        /** A tokenizer over this vocabulary, padding with the end token. */
        public ClipTokenizer tokenizer() {
            return ClipTokenizer.of(vocab, merges, ClipTokenizer.END);
        }

        /**
         * Writes a diffusers {@code tokenizer/} folder: {@code vocab.json}, {@code merges.txt},
         * {@code special_tokens_map.json} and {@code tokenizer_config.json}, each atomically.
         */
        public void write(Path folder) throws IOException {
            Files.createDirectories(folder);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicFiles.write(folder.resolve("vocab.json"), out -> out.write(json.writeValueAsBytes(vocab)));
            StringBuilder text = new StringBuilder("#version: 0.2\n");
            merges.forEach(m -> text.append(m).append('\n'));
            AtomicFiles.write(folder.resolve("merges.txt"), out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
            Map<String, Object> special = new LinkedHashMap<>();
            special.put("bos_token", ClipTokenizer.START);
            special.put("eos_token", ClipTokenizer.END);
            special.put("pad_token", ClipTokenizer.END);
            special.put("unk_token", ClipTokenizer.END);
            AtomicFiles.write(folder.resolve("special_tokens_map.json"), out -> out.write(json.writeValueAsBytes(special)));
            Map<String, Object> config = new LinkedHashMap<>(special);
            config.put("tokenizer_class", "CLIPTokenizer");
            config.put("model_max_length", ClipTokenizer.MAX_LENGTH);
            config.put("do_lower_case", true);
            AtomicFiles.write(folder.resolve("tokenizer_config.json"), out -> out.write(json.writeValueAsBytes(config)));
        }
    }

    /**
     * Learns merges from {@code corpus}.
     *
     * @param minFrequency a pair is merged only while it occurs at least this often
     * @param maxMerges    at most this many merges
     */
    public static Vocabulary train(Collection<String> corpus, int minFrequency, int maxMerges) {
        if (minFrequency < 1 || maxMerges < 0) {
            throw new IllegalArgumentException("minFrequency must be >= 1 and maxMerges >= 0, got " + minFrequency
                    + " and " + maxMerges);
        }
        Map<String, Integer> wordCounts = new TreeMap<>();
        for (String text : corpus) {
            for (String piece : ClipTokenizer.byteLevelPieces(text)) {
                wordCounts.merge(piece, 1, Integer::sum);
            }
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.forEach((word, count) -> {
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < word.length() - 1; i++) {
                symbols.add(String.valueOf(word.charAt(i)));
            }
            symbols.add(word.charAt(word.length() - 1) + "</w>");
            words.add(symbols);
            counts.add(count);
        });
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<String, Integer> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> symbols = words.get(w);
                for (int i = 0; i < symbols.size() - 1; i++) {
                    pairs.merge(symbols.get(i) + " " + symbols.get(i + 1), counts.get(w), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null || bestCount < minFrequency) {
                break;
            }
            merges.add(best);
            String[] pair = best.split(" ");
            for (List<String> symbols : words) {
                for (int i = 0; i < symbols.size() - 1; i++) {
                    if (symbols.get(i).equals(pair[0]) && symbols.get(i + 1).equals(pair[1])) {
                        symbols.set(i, pair[0] + pair[1]);
                        symbols.remove(i + 1);
                    }
                }
            }
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        char[] alphabet = ClipTokenizer.byteAlphabet();
        // CLIP lists the printable bytes (which stand for themselves) first, then the remapped ones: by character.
        java.util.Arrays.sort(alphabet);
        for (char c : alphabet) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (char c : alphabet) {
            vocab.put(c + "</w>", vocab.size());
        }
        for (String merge : merges) {
            vocab.putIfAbsent(merge.replace(" ", ""), vocab.size());
        }
        vocab.put(ClipTokenizer.START, vocab.size());
        vocab.put(ClipTokenizer.END, vocab.size());
        return new Vocabulary(vocab, merges);
    }
}
