package dev.perfusion.core.text;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The normalisation CLIP's tokenizer applies before splitting, as transformers' {@code CLIPTokenizer} (the
 * tokenizers-backed one diffusers loads) does it: NFC, every run of Unicode whitespace to one space, lower case
 * code point by code point (full mappings, but no context rules such as Greek final sigma).
 */
final class TextCleaner {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private TextCleaner() {
    }

    static String clean(String text) {
        String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
        String spaced = WHITESPACE.matcher(nfc).replaceAll(" ");
        StringBuilder lower = new StringBuilder(spaced.length());
        spaced.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                lower.append((char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
            } else {
                lower.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
            }
        });
        return lower.toString();
    }
}
