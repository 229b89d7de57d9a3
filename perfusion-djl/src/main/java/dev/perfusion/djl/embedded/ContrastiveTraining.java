package dev.perfusion.djl.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * kinds poorly, measured at 39% zero-shot).
 */
final class ContrastiveTraining {

    /**
     * The towers' shapes.
     *
     * @param text          the text transformer
     * @param image         the image encoder
     * @param kinds         whether to add the kind loss on the batch's lone scenes
     * @param instanceViews whether to add the two-view instance loss, whose views the kind loss then covers too
     * @param swappedKinds  whether each picture's caption with one object's kind swapped is an extra negative
     */
    record Shapes(ClipTextConfig text, ImageEncoderConfig image, boolean kinds, boolean instanceViews,
            boolean swappedKinds) {

        Shapes {
            if (instanceViews && !kinds) {
                throw new IllegalArgumentException("the instance views are also the kind loss's pictures: "
                        + "instanceViews needs kinds");
            }
        }
    }

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
        Map<String, NDArray> arrays = new LinkedHashMap<>(init.created());
        arrays.put("logit_scale", Contrastive.initialLogScale(manager));
        if (shapes.instanceViews()) {
            arrays.put("view_logit_scale", Contrastive.initialLogScale(manager));
        }
        if (shapes.kinds()) {
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
        NDArray negatives = shapes.swappedKinds() ? text.forward(m, swapKinds(scenes, captions,
                new SplittableRandom(part.seed() * 1_000_003L + step))) : null;
        NDArray loss = Contrastive.loss(images, text.forward(m, captions), negatives,
                parameters.arrays().get("logit_scale"));
        if (!shapes.kinds()) {
            return loss;
        }
        List<Kind> sceneKinds = new ArrayList<>();
        for (Scene scene : scenes) {
            sceneKinds.add(scene.objects().size() == 1 ? scene.objects().get(0).spec().kind() : null);
        }
        if (!shapes.instanceViews()) {
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
