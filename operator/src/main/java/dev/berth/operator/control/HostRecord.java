package dev.berth.operator.control;

import java.util.Map;

/** What an operator says about its host under {@code <root>/v1/hosts/<host>}, kept alive by an etcd lease. */
public record HostRecord(String name, Map<String, String> labels, String version, String startedAt) {
}
