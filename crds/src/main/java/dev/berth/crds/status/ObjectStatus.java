package dev.berth.crds.status;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one host's operator reports for one object, stored as JSON at
 * {@code /berth/v1/status/<kind>/<name>/<host>}. Written only when it changed.
 */
public record ObjectStatus(String host, long observedRevision, List<Condition> conditions,
                           Map<String, ServiceCount> services, String lastError, String since) {
    public ObjectStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        services = services == null ? Map.of() : Map.copyOf(new java.util.TreeMap<>(services));
    }

    public Optional<Condition> condition(String type) {
        return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
    }

    public boolean ready() {
        return condition(Condition.READY).map(Condition::isTrue).orElse(false);
    }
}
