package dev.berth.reconcilers.schedule;

import java.util.Comparator;
import java.util.Objects;

/** Replica {@code replica} (1-based, cluster-wide: it names the container) of {@code service} runs on {@code host}. */
public record Assignment(String service, int replica, String host) {
    static final Comparator<Assignment> ORDER = Comparator.comparing(Assignment::service)
            .thenComparingInt(Assignment::replica).thenComparing(Assignment::host);

    public Assignment {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(host, "host");
    }
}
