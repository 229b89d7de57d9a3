package dev.perfusion.core.backend;

import dev.perfusion.api.spi.Availability;
import dev.perfusion.api.spi.BackendProvider;
import dev.perfusion.api.spi.Capability;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds backend providers with {@link ServiceLoader} and chooses one: by explicit name, else by the system
 * property {@value #PROPERTY}, else the usable provider of highest priority (ties broken by name). When none fits,
 * the error lists every provider seen and why it was not used.
 */
public final class BackendDiscovery {

    /** The system property naming the backend to use when the caller names none. */
    public static final String PROPERTY = "perfusion.backend";

    private final List<ProviderReport> reports;

    private BackendDiscovery(List<ProviderReport> reports) {
        this.reports = List.copyOf(reports);
    }

    /** Discovers the providers registered on the given class loader's class path. */
    public static BackendDiscovery fromClassLoader(ClassLoader loader) {
        List<ProviderReport> reports = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                reports.add(report(it.next()));
            } catch (ServiceConfigurationError e) {
                reports.add(new ProviderReport("<failed to load>", 0,
                        Availability.unusable(e.getMessage()), Optional.empty()));
            }
        }
        return new BackendDiscovery(reports);
    }

    /** Discovers the providers on the class path of this library. */
    public static BackendDiscovery fromClassPath() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return fromClassLoader(context != null ? context : BackendDiscovery.class.getClassLoader());
    }

    /** Uses the given providers, for tests and for hosts that assemble their own. */
    public static BackendDiscovery of(List<BackendProvider> providers) {
        return new BackendDiscovery(providers.stream().map(BackendDiscovery::report).toList());
    }

    /** Every provider seen, with its availability. */
    public List<ProviderReport> reports() {
        return reports;
    }

    /** {@link #select(Optional, Set)} with no capability required. */
    public BackendProvider select(Optional<String> name) {
        return select(name, Set.of());
    }

    /**
     * Chooses a provider.
     *
     * @param name     the backend asked for, or empty to use the system property or the priorities
     * @param required capabilities the provider must declare
     * @throws NoBackendException when the named backend is missing, unusable or lacks a capability, or none fits
     */
    public BackendProvider select(Optional<String> name, Set<Capability> required) {
        Optional<String> wanted = name.or(() -> Optional.ofNullable(System.getProperty(PROPERTY))
                .filter(s -> !s.isBlank()));
        if (wanted.isPresent()) {
            String asked = wanted.get().strip();
            String source = name.isPresent() ? "" : " (from system property " + PROPERTY + ")";
            ProviderReport match = reports.stream().filter(r -> r.name().equals(asked)).findFirst()
                    .orElseThrow(() -> new NoBackendException("no backend named '" + asked + "'" + source, reports));
            if (!match.availability().usable()) {
                throw new NoBackendException("backend '" + asked + "'" + source + " cannot run here: "
                        + match.availability().detail(), reports);
            }
            Set<Capability> missing = missing(match, required);
            if (!missing.isEmpty()) {
                throw new NoBackendException("backend '" + asked + "'" + source + " lacks " + missing, reports);
            }
            return match.provider().orElseThrow();
        }
        return reports.stream()
                .filter(r -> r.availability().usable())
                .filter(r -> missing(r, required).isEmpty())
                .sorted(Comparator.comparingInt(ProviderReport::priority).reversed()
                        .thenComparing(ProviderReport::name))
                .findFirst()
                .flatMap(ProviderReport::provider)
                .orElseThrow(() -> new NoBackendException("no usable backend"
                        + (required.isEmpty() ? "" : " with " + required), reports));
    }

    private static Set<Capability> missing(ProviderReport report, Set<Capability> required) {
        Set<Capability> missing = new java.util.TreeSet<>(required);
        report.provider().ifPresent(p -> missing.removeAll(p.capabilities()));
        return missing;
    }

    private static ProviderReport report(BackendProvider provider) {
        Availability availability;
        try {
            availability = provider.availability();
        } catch (RuntimeException | LinkageError e) {
            availability = Availability.unusable("availability check failed: " + e);
        }
        return new ProviderReport(provider.name(), provider.priority(), availability, Optional.of(provider));
    }
}
