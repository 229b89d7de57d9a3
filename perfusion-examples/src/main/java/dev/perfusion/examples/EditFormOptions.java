package dev.perfusion.examples;

import dev.perfusion.api.Concept;
import dev.perfusion.api.EditScope;
import dev.perfusion.api.KeyLockForm;
import dev.perfusion.api.TrainingOptions;
import picocli.CommandLine.Option;

/**
 * The examples' {@code --edit-scope} and {@code --key-lock} options: which tokens trained edits reach and how their
 * key edit puts the supercategory back (the model's recipe's by default); {@code --generate-key-lock} generates
 * with another key lock form than the one a concept was trained with.
 */
final class EditFormOptions {

    @Option(names = "--edit-scope", description = "Which tokens the trained edits reach: ${COMPLETION-CANDIDATES} "
            + "(default: the model's recipe).")
    private EditScope scope;

    @Option(names = "--key-lock", paramLabel = "<form>", description = "How the key edit puts the supercategory "
            + "back in training and generation: ${COMPLETION-CANDIDATES} (default: the model's recipe).")
    private KeyLockForm keyLock;

    @Option(names = "--generate-key-lock", paramLabel = "<form>", description = "Generate with this key lock form "
            + "whatever the concepts were trained with: ${COMPLETION-CANDIDATES} (default: the form each was "
            + "trained with).")
    private KeyLockForm generationKeyLock;

    /** {@code options} with the chosen scope and key lock form, where they were given. */
    TrainingOptions.Builder applyTo(TrainingOptions.Builder options) {
        if (scope != null) {
            options.editScope(scope);
        }
        return keyLock == null ? options : options.keyLockForm(keyLock);
    }

    /** {@code concept} with the key lock form to generate with, where one was given. */
    Concept forGeneration(Concept concept) {
        return generationKeyLock == null ? concept : concept.toBuilder().keyLockForm(generationKeyLock).build();
    }
}
