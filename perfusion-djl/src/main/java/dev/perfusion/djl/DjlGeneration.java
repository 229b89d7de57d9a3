package dev.perfusion.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.api.GeneratedImage;
import dev.perfusion.api.GenerationRequest;
import dev.perfusion.api.GenerationResult;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.ProgressListener;
import dev.perfusion.api.spi.GenerationService;
import dev.perfusion.djl.pipeline.StableDiffusion;
import dev.perfusion.djl.schedule.NoiseSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Text-to-image on a loaded {@link StableDiffusion}: image {@code i} of a batch uses seed {@code seed + i} for its
 * initial noise and its sampler noise, so it can be reproduced alone. The backend holds one instance, whose calls
 * are serialised: the model's edit hooks are shared state.
 */
final class DjlGeneration implements GenerationService {

    private final StableDiffusion model;
    private final NDManager manager;

    DjlGeneration(StableDiffusion model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    @Override
    public synchronized GenerationResult generate(GenerationRequest request, ProgressListener listener) {
        if (!request.concepts().isEmpty()) {
            throw new UnsupportedOperationException("generating with concepts is not in this build yet: the "
                    + "Perfusion edit is not wired into sampling");
        }
        long start = System.nanoTime();
        int width = request.width() == 0 ? model.defaultImageSize() : request.width();
        int height = request.height() == 0 ? model.defaultImageSize() : request.height();
        if (width % model.vaeScale() != 0 || height % model.vaeScale() != 0) {
            throw new PerfusionException("image size " + width + "x" + height + " must be a multiple of "
                    + model.vaeScale() + " for this model");
        }
        int batch = request.batch();
        try (NDManager m = manager.newSubManager()) {
            NDArray conditional = model.encodePrompts(m, List.of(request.prompt())).repeat(0, batch);
            NDArray unconditional = request.guidance() > 1
                    ? model.encodePrompts(m, List.of(request.negativePrompt())).repeat(0, batch) : null;
            Shape latent = new Shape(1, model.unet().config().inChannels(), height / model.vaeScale(),
                    width / model.vaeScale());
            List<NoiseSource> perImage = new ArrayList<>();
            NDList initial = new NDList();
            for (int i = 0; i < batch; i++) {
                NoiseSource source = NoiseSource.seeded(request.seed() + i);
                initial.add(source.next(m, latent));
                perImage.add(source);
            }
            NoiseSource samplerNoise = (mm, shape) -> {
                Shape one = new Shape(1).addAll(shape.slice(1));
                NDList rows = new NDList();
                perImage.forEach(s -> rows.add(s.next(mm, one)));
                return NDArrays.concat(rows, 0);
            };
            NDArray latents = model.sample(NDArrays.concat(initial, 0), conditional, unconditional,
                    request.scheduler(), request.steps(), request.guidance(), samplerNoise, listener);
            List<int[]> pixels = StableDiffusion.toRgb(model.decode(latents));
            List<GeneratedImage> images = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                images.add(new GeneratedImage(width, height, pixels.get(i), request.seed() + i));
            }
            return new GenerationResult(request, images, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
