package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.core.eval.QualityEvaluation;
import dev.perfusion.core.model.ClipTextConfig;
import dev.perfusion.core.text.ClipTokenizer;
import dev.perfusion.core.world.Kind;
import dev.perfusion.core.world.ObjectSpec;
import dev.perfusion.core.world.PlacedObject;
import dev.perfusion.core.world.Renderer;
import dev.perfusion.core.world.Scene;
import dev.perfusion.core.world.World;
import dev.perfusion.djl.judge.Contrastive;
import dev.perfusion.djl.judge.ConvImageEncoder;
import dev.perfusion.djl.judge.ImageEncoderConfig;
import dev.perfusion.djl.judge.TextTower;
import dev.perfusion.djl.nn.Scalars;
import dev.perfusion.djl.train.CheckpointFolder;
import dev.perfusion.djl.train.Images;
import dev.perfusion.djl.train.Parameters;
import dev.perfusion.djl.train.TrainingLoop;
import dev.perfusion.djl.train.TrainingTask;
import dev.perfusion.djl.weights.InitialWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CLIP-style pair of towers trained contrastively on the world's captioned pictures, as SD's text encoder was
 * trained: the parts "text-encoder" (whose text tower becomes the generator's text encoder; its image tower is
 * dropped) and "judge" (both towers kept, with a second loss that pulls two views of the same instance together and
 * pushes other instances apart, so that image similarity measures likeness to a concept, and a third that matches
 * pictures of one object (the batch's lone scenes and both views of every instance) to the prompt "a photo of a
 * {kind}" of their kind among the nine, so that it recognises kinds zero-shot: captions name a kind beside its colour
 * and backdrop, which alone already tell most pictures of a batch apart, so the contrastive loss by itself learns
 * kinds poorly, measured at 39% zero-shot). A recipe may also add a kind loss on the text encoder's hidden states at
 * the captions' kind words ({@link EmbeddedRecipe.TextLosses#KINDS_AND_KIND_TOKENS}).
 */
final class ContrastiveTraining {

    /** A loss added to CLIP's contrastive loss. */
    enum Extra {
        /** The kind loss on the batch's lone scenes. */
        KINDS,
        /** The two-view instance loss, whose views the kind loss then covers too (needs {@link #KINDS}). */
        INSTANCE_VIEWS,
        /** Each picture's caption with one object's kind swapped, as an extra negative. */
        SWAPPED_KINDS,
        /** The kind loss on the hidden states at the kind words of the captions. */
        KIND_TOKENS
    }

    /**
     * The towers' shapes and the losses added to the contrastive loss.
     *
     * @param text   the text transformer
     * @param image  the image encoder
     * @param extras the added losses
     */
    record Shapes(ClipTextConfig text, ImageEncoderConfig image, Set<Extra> extras) {

        Shapes {
            extras = extras.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(extras));
            if (extras.contains(Extra.INSTANCE_VIEWS) && !extras.contains(Extra.KINDS)) {
                throw new IllegalArgumentException("the instance views are also the kind loss's pictures: "
                        + "INSTANCE_VIEWS needs KINDS");
            }
        }

        boolean has(Extra extra) {
            return extras.contains(extra);
        }
    }

    /**
     * The fixed inverse temperature of the kind-token loss: with unit vectors, the state's direction itself must
     * point at its kind (a learnt scale could instead grow until a sliver of it sufficed).
     */
    static final float KIND_TOKEN_SCALE = 10f;
    /** The learnt kind directions of the kind-token loss (kinds, hidden); not part of the exported text encoder. */
    static final String KIND_DIRECTIONS = "kind_token_directions";

    private final ConvImageEncoder image;
    private final TextTower text;
    private final Parameters parameters;

    private ContrastiveTraining(ConvImageEncoder image, TextTower text, Parameters parameters) {
        this.image = image;
        this.text = text;
        this.parameters = parameters;
    }

    /** Trains (or resumes) the towers of {@code part} and returns their parameters by name. */
    static TrainingLoop.Result train(String name, Path work, EmbeddedRecipe recipe, EmbeddedRecipe.Part part,
            Shapes shapes, ClipTokenizer tokenizer, NDManager manager, ProgressListener listener,
            BooleanSupplier cancelled) throws IOException {
        InitialWeights init = new InitialWeights(manager, part.seed(), ConvImageEncoder::zeroInitialised);
        ConvImageEncoder image = ConvImageEncoder.build(shapes.image(), init, "vision.");
        TextTower text = TextTower.build(shapes.text(), shapes.image().embed(), tokenizer, init, manager);
        if (shapes.has(Extra.KIND_TOKENS)) {
            init.take(KIND_DIRECTIONS, Kind.values().length, shapes.text().hiddenSize());
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>(init.created());
        arrays.put("logit_scale", Contrastive.initialLogScale(manager));
        if (shapes.has(Extra.INSTANCE_VIEWS)) {
            arrays.put("view_logit_scale", Contrastive.initialLogScale(manager));
        }
        if (shapes.has(Extra.KINDS)) {
            arrays.put("kind_logit_scale", Contrastive.initialLogScale(manager));
        }
        ContrastiveTraining model = new ContrastiveTraining(image, text, new Parameters(arrays));
        World world = new World(recipe.worldSeed());
        TrainingTask task = new TrainingTask() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Parameters parameters() {
                return model.parameters;
            }

            @Override
            public NDArray loss(NDManager m, long step) {
                return model.loss(m, world, recipe.imageSize(), part, step, shapes);
            }
        };
        return TrainingLoop.run(task, part.settings(), new CheckpointFolder(work.resolve("checkpoints/" + name)),
                manager, recipe.record(name), listener, cancelled);
    }

    private NDArray loss(NDManager m, World world, int size, EmbeddedRecipe.Part part, long step, Shapes shapes) {
        List<Scene> scenes = new ArrayList<>();
        List<int[]> pictures = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < part.batch(); i++) {
            World.Sample sample = world.sample(step * part.batch() + i);
            scenes.add(sample.scene());
            pictures.add(Renderer.render(sample.scene(), size).rgb());
            captions.add(sample.caption());
        }
        NDArray images = image.forward(Images.batch(m, pictures, size));
        NDArray negatives = shapes.has(Extra.SWAPPED_KINDS) ? text.forward(m, swapKinds(scenes, captions,
                new SplittableRandom(part.seed() * 1_000_003L + step))) : null;
        TextTower.Encoding encoded = text.encode(m, captions);
        NDArray loss = Contrastive.loss(images, encoded.embeddings(), negatives,
                parameters.arrays().get("logit_scale"));
        if (shapes.has(Extra.KIND_TOKENS)) {
            loss = loss.add(kindTokenLoss(m, scenes, encoded));
        }
        if (!shapes.has(Extra.KINDS)) {
            return loss;
        }
        List<Kind> sceneKinds = new ArrayList<>();
        for (Scene scene : scenes) {
            sceneKinds.add(scene.objects().size() == 1 ? scene.objects().get(0).spec().kind() : null);
        }
        if (!shapes.has(Extra.INSTANCE_VIEWS)) {
            return loss.add(kindLoss(m, images, sceneKinds));
        }
        List<int[]> first = new ArrayList<>();
        List<int[]> second = new ArrayList<>();
        List<Kind> viewKinds = new ArrayList<>();
        for (int i = 0; i < part.batch(); i++) {
            long index = step * part.batch() + i;
            ObjectSpec object = scenes.get(i).objects().get(0).spec();
            first.add(Renderer.render(World.alone(object, 2 * index), size).rgb());
            second.add(Renderer.render(World.alone(object, 2 * index + 1), size).rgb());
            viewKinds.add(object.kind());
        }
        NDArray firstImages = image.forward(Images.batch(m, first, size));
        NDArray secondImages = image.forward(Images.batch(m, second, size));
        NDArray viewLoss = Contrastive.loss(firstImages, secondImages, parameters.arrays().get("view_logit_scale"));
        List<Kind> labels = new ArrayList<>(sceneKinds);
        labels.addAll(viewKinds);
        labels.addAll(viewKinds);
        NDArray lonePictures = images.concat(firstImages).concat(secondImages);
        return loss.add(viewLoss).add(kindLoss(m, lonePictures, labels));
    }

    /**
     * Each caption with the kind word of one of its scene's objects replaced by another kind's: a caption that
     * matches the picture in everything a batch's other captions already differ by (colour, backdrop, place) but
     * its kind.
     */
    static List<String> swapKinds(List<Scene> scenes, List<String> captions, SplittableRandom random) {
        List<String> swapped = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int i = 0; i < captions.size(); i++) {
            List<PlacedObject> objects = scenes.get(i).objects();
            Kind kind = objects.get(random.nextInt(objects.size())).spec().kind();
            Kind other = kinds[(kind.ordinal() + 1 + random.nextInt(kinds.length - 1)) % kinds.length];
            Matcher word = Pattern.compile("\\b" + kind.word() + "\\b").matcher(captions.get(i));
            if (!word.find()) {
                throw new IllegalStateException("caption '" + captions.get(i) + "' does not name its " + kind.word());
            }
            swapped.add(captions.get(i).substring(0, word.start()) + other.word()
                    + captions.get(i).substring(word.end()));
        }
        return swapped;
    }

    /**
     * Cross-entropy of each lone object's picture against the nine kind prompts: the lone scenes of the batch and
     * both views of every instance ({@code null} labels, the two-object scenes, are skipped).
     */
    private NDArray kindLoss(NDManager m, NDArray pictures, List<Kind> labels) {
        Kind[] kinds = Kind.values();
        float[] target = new float[labels.size() * kinds.length];
        int lone = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) != null) {
                target[i * kinds.length + labels.get(i).ordinal()] = 1f;
                lone++;
            }
        }
        List<String> prompts = java.util.Arrays.stream(kinds).map(QualityEvaluation::kindPrompt).toList();
        NDArray scale = parameters.arrays().get("kind_logit_scale").clip(0, (float) Math.log(100));
        scale.attach(m);
        NDArray logits = Contrastive.normalise(pictures).matMul(Contrastive.normalise(text.forward(m, prompts))
                .transpose()).mul(scale.exp());
        NDArray picked = logits.logSoftmax(1).mul(m.create(target, new ai.djl.ndarray.types.Shape(labels.size(),
                kinds.length))).sum();
        return Scalars.over(picked, -Math.max(1, lone));
    }

    /**
     * Cross-entropy of the hidden state at each object's kind word (its last token) against the nine learnt kind
     * directions, cosine logits times {@link #KIND_TOKEN_SCALE}.
     */
    private NDArray kindTokenLoss(NDManager m, List<Scene> scenes, TextTower.Encoding encoded) {
        Shape hiddenShape = encoded.hidden().getShape();
        int length = (int) hiddenShape.get(1);
        List<int[]> words = new ArrayList<>();
        for (int i = 0; i < scenes.size(); i++) {
            for (int[] word : kindWordPositions(text.tokenizer(), scenes.get(i), encoded.ids()[i])) {
                words.add(new int[] {i * length + word[0], word[1]});
            }
        }
        int kinds = Kind.values().length;
        float[] pick = new float[words.size() * scenes.size() * length];
        float[] target = new float[words.size() * kinds];
        for (int w = 0; w < words.size(); w++) {
            pick[w * scenes.size() * length + words.get(w)[0]] = 1f;
            target[w * kinds + words.get(w)[1]] = 1f;
        }
        NDArray states = m.create(pick, new Shape(words.size(), (long) scenes.size() * length))
                .matMul(encoded.hidden().reshape(-1, hiddenShape.get(2)));
        NDArray directions = parameters.arrays().get(KIND_DIRECTIONS);
        NDArray logits = Contrastive.normalise(states).matMul(Contrastive.normalise(directions).transpose())
                .mul(KIND_TOKEN_SCALE);
        NDArray picked = logits.logSoftmax(1).mul(m.create(target, new Shape(words.size(), kinds))).sum();
        return Scalars.over(picked, -Math.max(1, words.size()));
    }

    /**
     * Where {@code ids} name the kinds of {@code scene}'s objects: for every occurrence of a kind's word, the position
     * of its last token and the kind's ordinal. Phrasings may name the objects in either order.
     */
    static List<int[]> kindWordPositions(ClipTokenizer tokenizer, Scene scene, int[] ids) {
        List<int[]> out = new ArrayList<>();
        for (Kind kind : scene.objects().stream().map(o -> o.spec().kind()).distinct().toList()) {
            List<Integer> word = tokenizer.ids(kind.word());
            int found = 0;
            for (int end = find(ids, word, 0); end >= 0; end = find(ids, word, end + 1)) {
                out.add(new int[] {end, kind.ordinal()});
                found++;
            }
            if (found == 0) {
                throw new IllegalStateException("the caption's tokens do not name its " + kind.word());
            }
        }
        return out;
    }

    private static int find(int[] ids, List<Integer> word, int from) {
        for (int start = from; start + word.size() <= ids.length; start++) {
            int k = 0;
            while (k < word.size() && ids[start + k] == word.get(k)) {
                k++;
            }
            if (k == word.size()) {
                return start + word.size() - 1;
            }
        }
        return -1;
    }

    /** The parameters whose names start with {@code prefix}, with the prefix kept or dropped. */
    static Parameters select(Parameters all, String prefix, boolean keepPrefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.arrays().forEach((name, array) -> {
            if (name.startsWith(prefix)) {
                out.put(keepPrefix ? name : name.substring(prefix.length()), array);
            }
        });
        return new Parameters(out);
    }
}
