package dev.perfusion.examples;

import dev.perfusion.api.EditScope;
import dev.perfusion.api.TrainingOptions;
import picocli.CommandLine.Option;

/** The examples' {@code --edit-scope} option: which tokens trained edits reach (the model's recipe's by default). */
final class EditScopeOption {

    @Option(names = "--edit-scope", description = "Which tokens the trained edits reach: ${COMPLETION-CANDIDATES} "
            + "(default: the model's recipe).")
    private EditScope scope;

    /** {@code options} with the chosen scope, where one was given. */
    TrainingOptions.Builder applyTo(TrainingOptions.Builder options) {
        return scope == null ? options : options.editScope(scope);
    }
}
