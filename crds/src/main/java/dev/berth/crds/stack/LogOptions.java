package dev.berth.crds.stack;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The option names of Docker's built-in log drivers (their ValidateLogOpt), so an option the driver does not take is
 * an error at the field, not a create Docker refuses. Plugin drivers are unknown here and left to Docker.
 */
public final class LogOptions {
    /** Docker's own buffering options, which every driver but none takes. */
    private static final Set<String> COMMON = Set.of("mode", "max-buffer-size");
    private static final Set<String> ATTRIBUTES = Set.of("tag", "labels", "labels-regex", "env", "env-regex");
    private static final Map<String, Set<String>> DRIVERS = Map.of(
            "json-file", union(Set.of("max-size", "max-file", "compress"), ATTRIBUTES),
            "local", Set.of("max-size", "max-file", "compress"),
            "journald", ATTRIBUTES,
            "syslog", union(Set.of("syslog-address", "syslog-facility", "syslog-tls-ca-cert", "syslog-tls-cert",
                    "syslog-tls-key", "syslog-tls-skip-verify", "syslog-format"), ATTRIBUTES),
            "none", Set.of());

    private LogOptions() {
    }

    /** The options {@code driver} takes, sorted; empty for a driver Berth does not know (a plugin). */
    public static Optional<Set<String>> of(String driver) {
        Set<String> own = DRIVERS.get(driver);
        if (own == null) {
            return Optional.empty();
        }
        return Optional.of(driver.equals("none") ? new TreeSet<>() : new TreeSet<>(union(own, COMMON)));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
