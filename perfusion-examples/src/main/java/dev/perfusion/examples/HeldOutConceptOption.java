package dev.perfusion.examples;

import dev.perfusion.core.world.HeldOutConcept;
import dev.perfusion.core.world.HeldOutConcepts;
import java.util.Iterator;
import picocli.CommandLine;

/** The command-line option type of the examples that take a held-out concept of the world by its name. */
final class HeldOutConceptOption {

    private HeldOutConceptOption() {
    }

    /** Reads a name; picocli reports an unknown one as a usage error that lists the names. */
    static final class Converter implements CommandLine.ITypeConverter<HeldOutConcept> {
        @Override
        public HeldOutConcept convert(String name) {
            return HeldOutConcepts.named(name).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "no held-out concept '" + name + "'; the world has " + String.join(", ", new Names())));
        }
    }

    /** The names, for the help text. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return HeldOutConcepts.all().stream().map(HeldOutConcept::name).iterator();
        }
    }
}
