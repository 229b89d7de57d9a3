package dev.perfusion.core.text;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The caption corpus the SDK ships for estimating a Stable Diffusion model's text statistics ({@code C}, the
 * covariance of its text encodings): everyday English prompts put together from word lists written for this SDK
 * (about 170 subjects, 60 attributes, 60 settings, 25 actions, 20 framings and 20 styles), in the forms people write
 * prompts in. It stands in for the large caption sets used in the paper, which cannot be shipped; its size and origin
 * are recorded in docs/math.md.
 */
public final class EverydayPrompts {

    private static final List<String> SUBJECTS = List.of(
            "cat", "dog", "puppy", "kitten", "horse", "cow", "sheep", "pig", "rabbit", "fox", "wolf", "bear",
            "lion", "tiger", "elephant", "giraffe", "zebra", "monkey", "owl", "eagle", "parrot", "duck", "swan",
            "penguin", "fish", "shark", "dolphin", "whale", "turtle", "frog", "butterfly", "bee", "spider", "snake",
            "man", "woman", "child", "boy", "girl", "old man", "old woman", "baby", "chef", "doctor", "farmer",
            "knight", "wizard", "robot", "astronaut", "soldier", "dancer", "musician", "painter", "student",
            "car", "truck", "bus", "bicycle", "motorcycle", "train", "airplane", "boat", "ship", "tractor",
            "house", "castle", "tower", "bridge", "church", "barn", "lighthouse", "skyscraper", "cottage", "tent",
            "chair", "armchair", "sofa", "table", "bed", "lamp", "clock", "mirror", "vase", "bookshelf", "desk",
            "teapot", "cup", "mug", "bowl", "plate", "bottle", "glass", "jar", "basket", "backpack", "suitcase",
            "hat", "shoe", "boot", "dress", "jacket", "scarf", "umbrella", "watch", "ring", "necklace",
            "apple", "banana", "orange", "strawberry", "cake", "pizza", "burger", "sandwich", "bread", "cookie",
            "tree", "flower", "rose", "sunflower", "cactus", "mushroom", "fern", "oak tree", "palm tree", "bush",
            "mountain", "river", "lake", "waterfall", "volcano", "island", "forest", "desert", "beach", "field",
            "guitar", "piano", "violin", "drum", "book", "camera", "phone", "laptop", "television", "radio",
            "teddy bear", "doll", "toy car", "ball", "kite", "balloon", "candle", "lantern", "statue", "painting",
            "sword", "shield", "crown", "key", "coin", "map", "globe", "telescope", "bicycle helmet", "sculpture",
            "dragon", "unicorn", "ghost", "fairy", "mermaid", "dinosaur", "alien");
    private static final List<String> ATTRIBUTES = List.of(
            "red", "blue", "green", "yellow", "orange", "purple", "pink", "black", "white", "brown", "gray",
            "golden", "silver", "small", "large", "tiny", "huge", "tall", "old", "new", "ancient", "modern",
            "wooden", "metal", "glass", "plastic", "stone", "leather", "furry", "fluffy", "shiny", "rusty",
            "colorful", "striped", "spotted", "happy", "sad", "angry", "sleepy", "cute", "beautiful", "ugly",
            "broken", "dirty", "clean", "wet", "frozen", "burning", "glowing", "transparent", "soft", "heavy",
            "vintage", "elegant", "tiny wooden", "big red", "little", "dark", "bright", "pale");
    private static final List<String> SETTINGS = List.of(
            "in a park", "on a beach", "in the forest", "in the snow", "in the desert", "on a mountain",
            "in a city street", "in a kitchen", "in a living room", "in a bedroom", "in an office", "in a garden",
            "on a table", "on a sofa", "on the grass", "in the rain", "at night", "at sunset", "at sunrise",
            "under the stars", "in space", "underwater", "in a field of flowers", "on a boat", "in a library",
            "in a museum", "in a cafe", "at the market", "on a rooftop", "in a cave", "by a river", "by the lake",
            "in front of a castle", "in front of a house", "on a bridge", "in a classroom", "in a studio",
            "on a wooden floor", "on a white background", "on a black background", "in the sky", "in the clouds",
            "in a jungle", "on a farm", "in a barn", "in a subway", "at the airport", "in a stadium", "on a stage",
            "in a hospital", "in a church", "in a garage", "on a shelf", "in a box", "on the moon", "on mars",
            "in autumn leaves", "in a snowy village", "next to a window", "in a bathroom");
    private static final List<String> ACTIONS = List.of(
            "sitting", "standing", "sleeping", "running", "jumping", "walking", "flying", "swimming", "eating",
            "reading a book", "playing", "smiling", "looking at the camera", "lying down", "dancing", "singing",
            "riding a bicycle", "holding an umbrella", "wearing a hat", "wearing sunglasses", "climbing",
            "laughing", "waiting", "painting", "cooking");
    private static final List<String> FRAMINGS = List.of(
            "a photo of", "a close-up photo of", "a picture of", "a painting of", "a drawing of", "an illustration of",
            "a sketch of", "a 3d render of", "a watercolor of", "an oil painting of", "a cartoon of", "a portrait of",
            "a blurry photo of", "a black and white photo of", "a cropped photo of", "a good photo of",
            "a bad photo of", "a rendering of", "a toy", "a sculpture of");
    private static final List<String> STYLES = List.of(
            "highly detailed", "4k", "studio lighting", "soft light", "cinematic", "photorealistic", "digital art",
            "trending on artstation", "in the style of van gogh", "pixel art", "anime style", "low poly",
            "oil on canvas", "sharp focus", "bokeh", "vintage film", "dramatic lighting", "minimalist",
            "concept art", "wide angle");

    private EverydayPrompts() {
    }

    /** {@code count} prompts drawn from the word lists with {@code seed}; the same seed gives the same prompts. */
    public static List<String> generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String subject = pick(SUBJECTS, random);
            if (random.nextDouble() < 0.6) {
                subject = pick(ATTRIBUTES, random) + " " + subject;
            }
            StringBuilder p = new StringBuilder();
            double form = random.nextDouble();
            if (form < 0.5) {
                p.append(pick(FRAMINGS, random)).append(' ').append(article(subject));
            } else {
                p.append(article(subject));
            }
            if (random.nextDouble() < 0.4) {
                p.append(' ').append(pick(ACTIONS, random));
            }
            if (random.nextDouble() < 0.7) {
                p.append(' ').append(pick(SETTINGS, random));
            }
            if (random.nextDouble() < 0.25) {
                p.append(" and ").append(article(pick(SUBJECTS, random)));
            }
            if (random.nextDouble() < 0.35) {
                p.append(", ").append(pick(STYLES, random));
            }
            out.add(p.toString());
        }
        return out;
    }

    private static String pick(List<String> words, SplittableRandom random) {
        return words.get(random.nextInt(words.size()));
    }

    private static String article(String phrase) {
        return ("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
    }
}
