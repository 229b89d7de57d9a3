package dev.perfusion.core.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.perfusion.core.io.FileFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, read from a diffusers {@code tokenizer/} folder ({@code vocab.json},
 * {@code merges.txt}, and the pad token from {@code special_tokens_map.json} or {@code tokenizer_config.json}).
 * It matches transformers' {@code CLIPTokenizer}: normalisation ({@link TextCleaner}), CLIP's pre-tokenisation
 * pattern (text it does not match, whitespace, is dropped), the byte-level split within each piece, the
 * byte-to-unicode mapping, BPE by merge rank, start and
 * end tokens, truncation and padding to 77. The start and end tokens are matched in the raw text; added tokens (a
 * concept's placeholder) are matched, longest first, in the normalised text and get ids after the vocabulary.
 *
 * <p>Immutable and thread-safe; {@link #withAddedToken(String)} returns a new tokenizer.
 */
public final class ClipTokenizer {

    /** CLIP's context length. */
    public static final int MAX_LENGTH = 77;
    public static final String START = "<|startoftext|>";
    public static final String END = "<|endoftext|>";
    /** Words whose merges are cached. */
    static final int CACHE_WORDS = 50_000;
    /** transformers reads at most this many merges, as CLIP's original tokenizer does. */
    static final int MAX_MERGES = 49152 - 256 - 2;

    private static final Pattern PRE_TOKEN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    /** The byte-level pre-tokenizer's own split, applied within each piece of {@link #PRE_TOKEN}. */
    private static final Pattern BYTE_LEVEL_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final char[] BYTE_TO_CHAR = byteToChar();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> ranks;
    private final List<String> added;
    private final Map<String, Integer> addedIds = new HashMap<>();
    private final List<String> addedByLength;
    private final int padId;
    /** Merged words, most recently used kept: bounded, so that arbitrary text cannot grow it without limit. */
    private final Cache<String, String[]> cache = CacheBuilder.newBuilder().maximumSize(CACHE_WORDS).build();

    private ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> ranks, List<String> added, int padId) {
        this.vocab = vocab;
        this.ranks = ranks;
        this.added = added;
        this.padId = padId;
        for (int i = 0; i < added.size(); i++) {
            addedIds.putIfAbsent(TextCleaner.clean(added.get(i)), vocab.size() + i);
        }
        this.addedByLength = addedIds.keySet().stream()
                .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** Reads a diffusers {@code tokenizer/} folder. */
    public static ClipTokenizer load(Path folder) throws IOException {
        Path vocabFile = folder.resolve("vocab.json");
        Path mergesFile = folder.resolve("merges.txt");
        Map<String, Integer> vocab;
        try {
            vocab = JSON.readValue(vocabFile.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FileFormatException(vocabFile, "is not a JSON object of token to id: " + e.getOriginalMessage(), e);
        }
        List<String> merges;
        try {
            merges = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new FileFormatException(mergesFile, "is not valid UTF-8: " + e, e);
        }
        String pad = padToken(folder).orElse(END);
        return of(vocab, merges, pad, vocabFile, mergesFile);
    }

    /**
     * A tokenizer from a vocabulary and the lines of a merges file (a first line starting with {@code #version}
     * is skipped).
     */
    public static ClipTokenizer of(Map<String, Integer> vocab, List<String> mergeLines, String padToken) {
        try {
            return of(vocab, mergeLines, padToken, Path.of("vocab.json"), Path.of("merges.txt"));
        } catch (FileFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ClipTokenizer of(Map<String, Integer> vocab, List<String> mergeLines, String padToken,
            Path vocabFile, Path mergesFile) throws FileFormatException {
        boolean[] seen = new boolean[vocab.size()];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            Integer id = e.getValue();
            if (id == null || id < 0 || id >= vocab.size()) {
                throw new FileFormatException(vocabFile, "gives token '" + e.getKey() + "' the id " + id
                        + "; ids must be 0 to " + (vocab.size() - 1) + ", one per token");
            }
            if (seen[id]) {
                throw new FileFormatException(vocabFile, "gives id " + id + " to more than one token, '" + e.getKey()
                        + "' among them");
            }
            seen[id] = true;
        }
        for (String required : List.of(START, END, padToken)) {
            if (!vocab.containsKey(required)) {
                throw new FileFormatException(vocabFile, "has no token '" + required + "'");
            }
        }
        Map<String, Integer> ranks = new HashMap<>();
        int start = !mergeLines.isEmpty() && mergeLines.get(0).startsWith("#version") ? 1 : 0;
        int end = Math.min(mergeLines.size(), start + MAX_MERGES);
        for (int i = start; i < end; i++) {
            String line = mergeLines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] pair = line.split(" ");
            if (pair.length != 2) {
                throw new FileFormatException(mergesFile, "line " + (i + 1) + " is not two symbols: '" + line + "'");
            }
            ranks.putIfAbsent(pair[0] + " " + pair[1], ranks.size());
        }
        return new ClipTokenizer(Map.copyOf(vocab), Map.copyOf(ranks), List.of(), vocab.get(padToken));
    }

    private static Optional<String> padToken(Path folder) throws IOException {
        for (String name : List.of("special_tokens_map.json", "tokenizer_config.json")) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                JsonNode pad = JSON.readTree(file.toFile()).get("pad_token");
                if (pad != null && pad.isTextual()) {
                    return Optional.of(pad.textValue());
                }
                if (pad != null && pad.has("content")) {
                    return Optional.of(pad.get("content").asText());
                }
            }
        }
        return Optional.empty();
    }

    /** A tokenizer that also knows {@code token}, matched as a whole in raw text, with the next free id. */
    public ClipTokenizer withAddedToken(String token) {
        if (token.isBlank() || vocab.containsKey(token) || added.contains(token)) {
            throw new IllegalArgumentException("token '" + token + "' is blank or already known");
        }
        List<String> more = new ArrayList<>(added);
        more.add(token);
        return new ClipTokenizer(vocab, ranks, Collections.unmodifiableList(more), padId);
    }

    /** The id of an added token. */
    public int addedTokenId(String token) {
        int index = added.indexOf(token);
        if (index < 0) {
            throw new IllegalArgumentException("token '" + token + "' was not added; added: " + added);
        }
        return vocab.size() + index;
    }

    /** Tokens in the vocabulary, added ones included. */
    public int vocabSize() {
        return vocab.size() + added.size();
    }

    public int startId() {
        return vocab.get(START);
    }

    public int endId() {
        return vocab.get(END);
    }

    /** The position of the first end token after the start token in {@code ids}, a row {@link #encode} made. */
    public int endPosition(int[] ids) {
        for (int j = 1; j < ids.length; j++) {
            if (ids[j] == endId()) {
                return j;
            }
        }
        throw new IllegalArgumentException("a row of " + ids.length + " token ids has no end token");
    }

    public int padId() {
        return padId;
    }

    /** The ids of {@code text} without start, end or padding. */
    public List<Integer> ids(String text) {
        List<Integer> out = new ArrayList<>();
        for (String raw : splitOn(text, List.of(START, END))) {
            if (raw.equals(START) || raw.equals(END)) {
                out.add(vocab.get(raw));
                continue;
            }
            for (String chunk : splitOn(TextCleaner.clean(raw), addedByLength)) {
                Integer addedId = addedIds.get(chunk);
                if (addedId != null) {
                    out.add(addedId);
                    continue;
                }
                Matcher m = PRE_TOKEN.matcher(chunk);
                while (m.find()) {
                    Matcher byteLevel = BYTE_LEVEL_SPLIT.matcher(m.group());
                    while (byteLevel.find()) {
                        for (String piece : bpe(toByteChars(byteLevel.group()))) {
                            Integer id = vocab.get(piece);
                            out.add(id != null ? id : vocab.get(END));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * The text as CLIP's BPE sees it before merging: normalised, split into pieces, each piece's UTF-8 bytes as the
     * byte-level alphabet's characters. What {@link BpeTrainer} counts.
     */
    static List<String> byteLevelPieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(TextCleaner.clean(text));
        while (m.find()) {
            Matcher byteLevel = BYTE_LEVEL_SPLIT.matcher(m.group());
            while (byteLevel.find()) {
                out.add(toByteChars(byteLevel.group()));
            }
        }
        return out;
    }

    /** The byte-level alphabet in CLIP's order: one character per byte value. */
    static char[] byteAlphabet() {
        return BYTE_TO_CHAR.clone();
    }

    /**
     * The text of ids, as transformers' {@code decode} with special tokens skipped: each token's characters mapped
     * back to bytes, {@code </w>} read as a space, the result trimmed.
     */
    public String decode(int[] ids) {
        Map<Integer, String> byId = new HashMap<>();
        vocab.forEach((token, id) -> byId.put(id, token));
        for (int i = 0; i < added.size(); i++) {
            byId.put(vocab.size() + i, added.get(i) + "</w>");
        }
        StringBuilder chars = new StringBuilder();
        for (int id : ids) {
            if (id == startId() || id == endId() || id == padId) {
                continue;
            }
            String token = byId.get(id);
            if (token == null) {
                throw new IllegalArgumentException("id " + id + " is not in the vocabulary of " + vocabSize());
            }
            chars.append(token.replace("</w>", " "));
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            int b = byteOf(c);
            if (b >= 0) {
                bytes.write(b);
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    private static int byteOf(char c) {
        for (int b = 0; b < 256; b++) {
            if (BYTE_TO_CHAR[b] == c) {
                return b;
            }
        }
        return -1;
    }

    /** Words whose merges are cached now. */
    long cachedWords() {
        cache.cleanUp();
        return cache.size();
    }

    /** CLIP's model input: start, at most 75 ids, end, then padding to {@value #MAX_LENGTH}. */
    public int[] encode(String text) {
        return encode(text, MAX_LENGTH);
    }

    /** As {@link #encode(String)}, for another context length. */
    public int[] encode(String text, int length) {
        if (length < 2) {
            throw new IllegalArgumentException("length must hold the start and end tokens, got " + length);
        }
        List<Integer> ids = ids(text);
        int[] out = new int[length];
        java.util.Arrays.fill(out, padId);
        out[0] = startId();
        int n = Math.min(ids.size(), length - 2);
        for (int i = 0; i < n; i++) {
            out[i + 1] = ids.get(i);
        }
        out[n + 1] = endId();
        return out;
    }

    private static List<String> splitOn(String text, List<String> tokens) {
        List<String> chunks = new ArrayList<>();
        int from = 0;
        int i = 0;
        outer:
        while (i < text.length()) {
            for (String token : tokens) {
                if (text.startsWith(token, i)) {
                    if (i > from) {
                        chunks.add(text.substring(from, i));
                    }
                    chunks.add(token);
                    i += token.length();
                    from = i;
                    continue outer;
                }
            }
            i++;
        }
        if (from < text.length()) {
            chunks.add(text.substring(from));
        }
        return chunks;
    }

    private static String toByteChars(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
        }
        return new String(chars);
    }

    private String[] bpe(String token) {
        String[] merged = cache.getIfPresent(token);
        if (merged == null) {
            merged = merge(token);
            cache.put(token, merged);
        }
        return merged;
    }

    private String[] merge(String token) {
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + "</w>");
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer rank = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i < word.size() - 1 && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        return word.toArray(String[]::new);
    }

    private static char[] byteToChar() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        return table;
    }
}
