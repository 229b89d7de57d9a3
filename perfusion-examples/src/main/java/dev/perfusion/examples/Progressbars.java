package dev.perfusion.examples;

import dev.perfusion.api.Progress;
import dev.perfusion.api.ProgressListener;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars for the examples: one bar per stage of the work, with the loss where the stage has one. */
final class Progressbars {

    private Progressbars() {
    }

    /** Runs {@code work} with bars named after {@code task} and fed by the listener it is given. */
    static <T> T with(String task, Work<T> work) throws Exception {
        try (Bars bars = new Bars(task)) {
            return work.run(bars);
        }
    }

    /** Work that reports progress. */
    @FunctionalInterface
    interface Work<T> {
        T run(ProgressListener listener) throws Exception;
    }

    /** A bar for the current stage, replaced when the stage changes. */
    private static final class Bars implements ProgressListener, AutoCloseable {
        private final String task;
        private String stage;
        private ProgressBar bar;

        Bars(String task) {
            this.task = task;
        }

        @Override
        public synchronized void onProgress(Progress p) {
            if (bar == null || !p.stage().equals(stage)) {
                close();
                stage = p.stage();
                String name = stage.startsWith(task) ? stage : task + ": " + stage;
                bar = new ProgressBarBuilder().setTaskName(name).setStyle(ProgressBarStyle.ASCII)
                        .setInitialMax(p.total()).setMaxRenderedLength(110).build();
            }
            bar.maxHint(p.total());
            bar.stepTo(p.step());
            if (!Double.isNaN(p.loss())) {
                bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", p.loss()));
            }
        }

        @Override
        public synchronized void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
