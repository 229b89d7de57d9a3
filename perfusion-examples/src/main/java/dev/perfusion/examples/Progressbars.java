package dev.perfusion.examples;

import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars for the examples: one bar per stage, with the loss where the stage has one. */
final class Progressbars {

    private Progressbars() {
    }

    /** Runs {@code work} with a bar named {@code task} fed by the listener it is given. */
    static <T> T with(String task, Work<T> work) throws Exception {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
                .setInitialMax(1).setMaxRenderedLength(110).build()) {
            return work.run(listener(bar));
        }
    }

    /** Work that reports progress. */
    @FunctionalInterface
    interface Work<T> {
        T run(ProgressListener listener) throws Exception;
    }

    private static ProgressListener listener(ProgressBar bar) {
        Consumer<Progress> update = p -> {
            bar.maxHint(p.total());
            bar.stepTo(p.step());
            bar.setExtraMessage(Double.isNaN(p.loss()) ? " " + p.stage()
                    : String.format(Locale.ROOT, " %s, loss %.4f", p.stage(), p.loss()));
        };
        return update::accept;
    }
}
