package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Quantities;

/**
 * {@code deploy} (replicas, resources, restart_policy, update_config) and the older service keys {@code cpus},
 * {@code mem_limit}, {@code mem_reservation} and {@code scale}, written into a service. The Swarm-only parts
 * (placement, rollback, endpoint mode) are warnings.
 */
final class DeployConverter {
    private final ImportContext context;

    DeployConverter(ImportContext context) {
        this.context = context;
    }

    void deploy(ComposeNode node, String path, ObjectNode service) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(node, path, "expected a mapping, got " + node.shape());
            return;
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "replicas" -> context.nodes().integer(e.value(), keyPath, 0, 100).ifPresent(r -> service.put("replicas", r));
                case "mode" -> {
                    if (!"replicated".equals(context.nodes().text(e.value(), keyPath).orElse(""))) {
                        context.diagnostics().dropped(e, keyPath, "only replicated mode is supported (replicas per placed host)");
                    }
                }
                case "resources" -> resources(e.value(), keyPath, service);
                case "restart_policy" -> restartPolicy(e.value(), keyPath, service);
                case "update_config" -> updateConfig(e.value(), keyPath, service);
                case "placement" -> context.diagnostics().dropped(e, keyPath,
                        "not supported per service (a Stack's spec.placement chooses hosts for the whole stack)");
                case "labels" -> context.diagnostics().dropped(e, keyPath,
                        "Swarm service labels are not supported (labels: sets container labels)");
                default -> context.diagnostics().dropped(e, keyPath, "not supported (Swarm only)");
            }
        }
    }

    /** cpus, mem_limit, mem_reservation written directly on the service, as the older Compose files do. */
    void legacy(ComposeNode.Entry e, String path, ObjectNode service) {
        switch (e.key()) {
            case "cpus" -> cpus(e.value(), path).ifPresent(c -> resourcesOf(service).put("cpus", c));
            case "mem_limit" -> quantity(e.value(), path).ifPresent(q -> resourcesOf(service).put("memory", q));
            case "mem_reservation" -> quantity(e.value(), path).ifPresent(q -> resourcesOf(service).put("memoryReservation", q));
            case "scale" -> context.nodes().integer(e.value(), path, 0, 100).ifPresent(r -> service.put("replicas", r));
            default -> throw new IllegalArgumentException(e.key());
        }
    }

    private void resources(ComposeNode node, String path, ObjectNode service) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(node, path, "expected a mapping, got " + node.shape());
            return;
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (!(e.value() instanceof ComposeNode.Mapping limits)) {
                context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
                continue;
            }
            for (ComposeNode.Entry l : limits.entries().values()) {
                String limitPath = Paths.child(keyPath, l.key());
                String field = switch (e.key() + "." + l.key()) {
                    case "limits.cpus" -> "cpus";
                    case "limits.memory" -> "memory";
                    case "reservations.memory" -> "memoryReservation";
                    default -> null;
                };
                if (field == null || l.value().isNull()) {
                    context.diagnostics().dropped(l, limitPath, "not supported by the Stack schema");
                } else if (field.equals("cpus")) {
                    cpus(l.value(), limitPath).ifPresent(c -> resourcesOf(service).put("cpus", c));
                } else {
                    quantity(l.value(), limitPath).ifPresent(q -> resourcesOf(service).put(field, q));
                }
            }
        }
    }

    private void restartPolicy(ComposeNode node, String path, ObjectNode service) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(node, path, "expected a mapping, got " + node.shape());
            return;
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (!e.key().equals("condition")) {
                context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
                continue;
            }
            String restart = switch (context.nodes().text(e.value(), keyPath).orElse("")) {
                case "none" -> "no";
                case "on-failure" -> "on-failure";
                case "any" -> "always";
                default -> null;
            };
            if (restart == null) {
                context.diagnostics().error(e.value(), keyPath, "expected none, on-failure or any");
            } else if (!service.has("restart")) {
                // A restart: on the service itself is what Compose (without Swarm) uses, so it wins.
                service.put("restart", restart);
            }
        }
    }

    private void updateConfig(ComposeNode node, String path, ObjectNode service) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(node, path, "expected a mapping, got " + node.shape());
            return;
        }
        ObjectNode update = JsonNodeFactory.instance.objectNode();
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            switch (e.key()) {
                case "order" -> {
                    String order = context.nodes().text(e.value(), keyPath).orElse("");
                    switch (order) {
                        case "start-first" -> update.put("strategy", "start-first");
                        case "stop-first" -> update.put("strategy", "recreate");
                        default -> context.diagnostics().error(e.value(), keyPath, "expected start-first or stop-first");
                    }
                }
                case "parallelism" -> context.nodes().integer(e.value(), keyPath, 0, 100)
                        .filter(p -> p > 0).ifPresent(p -> update.put("maxSurge", p));
                default -> context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
            }
        }
        if (!update.isEmpty()) {
            service.set("update", update);
        }
    }

    private java.util.Optional<Double> cpus(ComposeNode node, String path) {
        return context.nodes().text(node, path).flatMap(t -> {
            try {
                double cpus = Double.parseDouble(t);
                if (cpus >= 0.01) {
                    return java.util.Optional.of(cpus);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            context.diagnostics().warn(node, path, "\"" + t + "\" is not a CPU count of at least 0.01; dropped");
            return java.util.Optional.empty();
        });
    }

    private java.util.Optional<String> quantity(ComposeNode node, String path) {
        return context.nodes().text(node, path).flatMap(t -> {
            if (Quantities.isQuantity(t)) {
                return java.util.Optional.of(t);
            }
            context.diagnostics().warn(node, path, "\"" + t + "\" is not a quantity like 256m; dropped");
            return java.util.Optional.empty();
        });
    }

    private static ObjectNode resourcesOf(ObjectNode service) {
        return service.has("resources") ? (ObjectNode) service.get("resources") : service.putObject("resources");
    }
}
