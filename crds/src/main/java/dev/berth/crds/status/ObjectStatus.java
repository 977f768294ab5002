package dev.berth.crds.status;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one host's operator reports for one object, stored as JSON at
 * {@code /berth/v1/status/<kind>/<name>/<host>}. Written only when it changed. A Stack's status lists the
 * containers the host runs for it in {@code replicas}.
 */
public record ObjectStatus(String host, long observedRevision, List<Condition> conditions,
                           Map<String, ServiceCount> services, String lastError, String since,
                           List<ReplicaStatus> replicas) {
    public ObjectStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        services = services == null ? Map.of() : Map.copyOf(new java.util.TreeMap<>(services));
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    /** Without a list of containers (kinds other than Stack). */
    public ObjectStatus(String host, long observedRevision, List<Condition> conditions,
                        Map<String, ServiceCount> services, String lastError, String since) {
        this(host, observedRevision, conditions, services, lastError, since, null);
    }

    public Optional<Condition> condition(String type) {
        return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
    }

    public boolean ready() {
        return condition(Condition.READY).map(Condition::isTrue).orElse(false);
    }
}
