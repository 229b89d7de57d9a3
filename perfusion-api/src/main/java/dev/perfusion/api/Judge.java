package dev.perfusion.api;

import java.util.List;

/**
 * A CLIP-style scorer of generated images: image and text embeddings in one space, whose cosine similarities give
 * the paper's two measures. Image similarity ("CLIP-I"): a generated image against the concept's own images. Text
 * similarity ("CLIP-T"): a generated image against its prompt with the supercategory word in the concept's place.
 *
 * <p>The embedded model ships one trained on its world; a host with a real CLIP model can implement this interface
 * over it to score Stable Diffusion concepts. Implementations hold native resources: close them.
 */
public interface Judge extends AutoCloseable {

    /** Embeddings of square pictures of {@code size} pixels (packed 0xRRGGBB), one per picture. */
    List<float[]> embedImages(List<int[]> pictures, int size);

    /** Embeddings of texts, one per text. */
    List<float[]> embedTexts(List<String> texts);

    @Override
    void close();

    /** The cosine similarity of two embeddings. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of " + a.length + " and " + b.length + " values");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** The index of the text among {@code labels} most similar to each picture: zero-shot classification. */
    default int[] classify(List<int[]> pictures, int size, List<String> labels) {
        List<float[]> images = embedImages(pictures, size);
        List<float[]> texts = embedTexts(labels);
        int[] out = new int[images.size()];
        for (int i = 0; i < out.length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int l = 0; l < texts.size(); l++) {
                double s = cosine(images.get(i), texts.get(l));
                if (s > best) {
                    best = s;
                    out[i] = l;
                }
            }
        }
        return out;
    }
}
