package dev.perfusion.core.backend;

import dev.perfusion.api.PerfusionException;
import java.util.List;

/** No backend could serve a request; the message lists every provider seen and why each was not used. */
public class NoBackendException extends PerfusionException {

    private final transient List<ProviderReport> seen;

    public NoBackendException(String reason, List<ProviderReport> seen) {
        super(reason + describe(seen));
        this.seen = List.copyOf(seen);
    }

    /** Every provider discovery saw. */
    public List<ProviderReport> seen() {
        return seen;
    }

    private static String describe(List<ProviderReport> seen) {
        if (seen.isEmpty()) {
            return "; no backend provider is on the class path (add perfusion-djl, or register a "
                    + "dev.perfusion.api.spi.BackendProvider in META-INF/services)";
        }
        StringBuilder b = new StringBuilder("; providers found:");
        seen.forEach(r -> b.append("\n  - ").append(r));
        return b.toString();
    }
}
