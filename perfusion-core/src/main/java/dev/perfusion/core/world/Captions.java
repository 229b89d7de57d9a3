package dev.perfusion.core.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Words for scenes. {@link #canonical} names exactly what the oracles check (colours, kinds, position or relation,
 * background); {@link #varied} is what training sees: the same facts in several phrasings, some left out, and the
 * patterns, details and sizes sometimes added.
 */
public final class Captions {

    private Captions() {
    }

    /** The evaluation caption: "a red star on the left on grass", "a red star above a blue ring at night". */
    public static String canonical(Scene scene) {
        PlacedObject first = scene.objects().get(0);
        String backdrop = scene.backdrop().phrases().get(0);
        if (scene.relation().isEmpty()) {
            return withArticle(first.spec().colour().word() + " " + first.spec().kind().word()) + " "
                    + first.region().phrase() + " " + backdrop;
        }
        PlacedObject second = scene.objects().get(1);
        return withArticle(first.spec().colour().word() + " " + first.spec().kind().word()) + " "
                + scene.relation().get().phrase() + " "
                + withArticle(second.spec().colour().word() + " " + second.spec().kind().word()) + " " + backdrop;
    }

    /** One of the many phrasings of a scene, chosen by {@code random}; every object's colour is named. */
    public static String varied(Scene scene, SplittableRandom random) {
        return varied(scene, random, 1);
    }

    /**
     * One of the many phrasings of a scene, chosen by {@code random}, each object's colour named with chance
     * {@code colourChance} ("a star above a blue ring"), as everyday prompts name a kind without its colour. With 1
     * no extra draw is made, so the phrasing is {@link #varied(Scene, SplittableRandom)}'s for the same random.
     */
    public static String varied(Scene scene, SplittableRandom random, double colourChance) {
        if (!(colourChance >= 0 && colourChance <= 1)) {
            throw new IllegalArgumentException("colourChance must be in [0, 1], got " + colourChance);
        }
        String backdrop = pick(scene.backdrop().phrases(), random);
        boolean withBackdrop = random.nextDouble() < 0.85;
        if (scene.relation().isPresent()) {
            PlacedObject a = scene.objects().get(0);
            PlacedObject b = scene.objects().get(1);
            String first = objectPhrase(a, random, 0.3, 0.5, 0.3, colourChance);
            String second = objectPhrase(b, random, 0.3, 0.5, 0.3, colourChance);
            double form = random.nextDouble();
            String core = form < 0.45 ? first + " " + scene.relation().get().phrase() + " " + second
                    : form < 0.9 ? second + " " + scene.relation().get().inverse().phrase() + " " + first
                    : first + " and " + second;
            return prefix(random) + (withBackdrop ? core + " " + backdrop : core);
        }
        PlacedObject only = scene.objects().get(0);
        String object = objectPhrase(only, random, 0.5, 0.8, 0.5, colourChance);
        List<String> tail = new ArrayList<>();
        if (random.nextDouble() < 0.6) {
            tail.add(only.region().phrase());
        }
        if (withBackdrop) {
            tail.add(random.nextBoolean() ? tail.size() : 0, backdrop);
        }
        return prefix(random) + object + (tail.isEmpty() ? "" : " " + String.join(" ", tail));
    }

    /**
     * "a small red striped fish", "an orange house with a blue door": a noun phrase for one object, its colour named
     * with chance {@code colourChance} (no draw when it is 1).
     */
    static String objectPhrase(PlacedObject object, SplittableRandom random, double sizeChance, double patternChance,
            double detailChance, double colourChance) {
        ObjectSpec spec = object.spec();
        StringBuilder words = new StringBuilder();
        if (random.nextDouble() < sizeChance) {
            words.append(object.size().word()).append(' ');
        }
        if (colourChance >= 1 || random.nextDouble() < colourChance) {
            words.append(spec.colour().word()).append(' ');
        }
        String patternSuffix = "";
        if (spec.pattern() != Pattern.PLAIN && random.nextDouble() < patternChance) {
            boolean stripes = spec.pattern() == Pattern.STRIPES;
            if (random.nextBoolean()) {
                words.append(stripes ? "striped " : "spotted ");
            } else {
                patternSuffix = " with " + spec.accent().word() + (stripes ? " stripes" : " spots");
            }
        }
        words.append(spec.kind().word());
        String detail = "";
        if (spec.kind().detailNoun().isPresent() && random.nextDouble() < detailChance) {
            String noun = spec.kind().detailNoun().get();
            detail = noun.equals("eyes") ? " with " + spec.detail().word() + " eyes"
                    : " with " + withArticle(spec.detail().word() + " " + noun);
        }
        String suffix = patternSuffix.isEmpty() ? detail
                : detail.isEmpty() ? patternSuffix : patternSuffix + " and" + detail.substring(" with".length());
        return withArticle(words.toString()) + suffix;
    }

    /** "a" or "an" before a phrase, by its first letter. */
    public static String withArticle(String phrase) {
        char first = phrase.isEmpty() ? 'x' : Character.toLowerCase(phrase.charAt(0));
        return ("aeiou".indexOf(first) >= 0 ? "an " : "a ") + phrase;
    }

    private static String prefix(SplittableRandom random) {
        double r = random.nextDouble();
        return r < 0.2 ? "a photo of " : r < 0.3 ? "there is " : "";
    }

    private static String pick(List<String> options, SplittableRandom random) {
        return options.get(random.nextInt(options.size()));
    }
}
