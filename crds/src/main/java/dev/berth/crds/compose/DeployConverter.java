package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Quantities;

/**
 * {@code deploy} (mode, replicas, placement, resources, restart_policy, update_config) and the older service keys
 * {@code cpus}, {@code mem_limit}, {@code mem_reservation} and {@code scale}, written into a service. Swarm's
 * replicated and global modes are Berth's; the other Swarm-only parts (jobs, rollback, endpoint mode) are warnings.
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
        // The mode decides what replicas and placement mean, wherever it is written among them.
        boolean global = m.get("mode") instanceof ComposeNode.Scalar mode && "global".equals(mode.text());
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "replicas" -> replicas(e, keyPath, service, global);
                case "mode" -> mode(e, keyPath, service);
                case "resources" -> resources(e.value(), keyPath, service);
                case "restart_policy" -> restartPolicy(e.value(), keyPath, service);
                case "update_config" -> updateConfig(e.value(), keyPath, service);
                case "placement" -> new PlacementConverter(context).convert(e.value(), keyPath, service, global);
                case "labels" -> context.diagnostics().dropped(e, keyPath,
                        "Swarm service labels are not supported (labels: sets container labels)");
                default -> context.diagnostics().dropped(e, keyPath, "not supported (Swarm only)");
            }
        }
    }

    private void replicas(ComposeNode.Entry e, String path, ObjectNode service, boolean global) {
        context.nodes().integer(e.value(), path, 0, 100).ifPresent(r -> {
            if (global) {
                // Swarm refuses replicas in global mode; Berth's global replicas would be that many per host.
                context.diagnostics().dropped(e, path, "has no meaning in global mode (one replica on every host)");
            } else {
                service.put("replicas", r);
            }
        });
    }

    private void mode(ComposeNode.Entry e, String path, ObjectNode service) {
        String mode = context.nodes().text(e.value(), path).orElse("");
        switch (mode) {
            case "replicated" -> {
                // Berth's default: replicas containers in the cluster, placed by the scheduler.
            }
            case "global" -> PlacementConverter.placementOf(service).put("mode", "global");
            case "replicated-job", "global-job" -> context.diagnostics().warn(e, path,
                    "jobs are not supported (Berth keeps every service running); using replicated");
            default -> context.diagnostics().error(e.value(), path, "expected replicated or global, got \"" + mode + "\"");
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
                switch (l.value().isNull() ? "" : e.key() + "." + l.key()) {
                    case "limits.cpus" -> cpus(l.value(), limitPath).ifPresent(c -> resourcesOf(service).put("cpus", c));
                    case "limits.memory" -> quantity(l.value(), limitPath).ifPresent(q -> resourcesOf(service).put("memory", q));
                    case "reservations.cpus" -> cpus(l.value(), limitPath).ifPresent(c -> reservationsOf(service).put("cpus", c));
                    // Compose sets Docker's soft limit from it, Swarm also schedules by it: Berth does both.
                    case "reservations.memory" -> quantity(l.value(), limitPath).ifPresent(q -> {
                        resourcesOf(service).put("memoryReservation", q);
                        reservationsOf(service).put("memory", q);
                    });
                    default -> context.diagnostics().dropped(l, limitPath, "not supported by the Stack schema");
                }
            }
        }
    }

    /**
     * Docker and Swarm refuse a reservation above the limit, and so does the Stack schema; keep the limit. Run once
     * the whole service is read: the limit may also come from the older {@code cpus} and {@code mem_limit} keys.
     */
    void reservationsWithinLimits(ComposeNode.Mapping compose, String path, ObjectNode service) {
        if (!(service.get("resources") instanceof ObjectNode r) || !(r.get("reservations") instanceof ObjectNode reserved)
                || !(compose.get("deploy") instanceof ComposeNode.Mapping deploy)
                || !(deploy.get("resources") instanceof ComposeNode.Mapping resources)) {
            return;
        }
        ComposeNode.Entry at = resources.entries().get("reservations");
        String atPath = Paths.child(path, "deploy.resources.reservations");
        if (reserved.has("cpus") && r.has("cpus") && reserved.get("cpus").asDouble() > r.get("cpus").asDouble()) {
            context.diagnostics().warn(at, atPath + ".cpus", "reservation above the limit (" + r.get("cpus").asText()
                    + " CPUs); dropped");
            reserved.remove("cpus");
        }
        if (reserved.has("memory") && r.has("memory") && Quantities.parseBytes(reserved.get("memory").asText())
                > Quantities.parseBytes(r.get("memory").asText())) {
            context.diagnostics().warn(at, atPath + ".memory", "reservation above the limit ("
                    + r.get("memory").asText() + "); dropped");
            reserved.remove("memory");
            r.remove("memoryReservation");
        }
        if (reserved.isEmpty()) {
            r.remove("reservations");
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
            } else {
                // Compose v2 applies it after the service's restart: (see RestartDefault), so it wins.
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

    private static ObjectNode reservationsOf(ObjectNode service) {
        ObjectNode resources = resourcesOf(service);
        return resources.has("reservations") ? (ObjectNode) resources.get("reservations")
                : resources.putObject("reservations");
    }

    private static ObjectNode resourcesOf(ObjectNode service) {
        return service.has("resources") ? (ObjectNode) service.get("resources") : service.putObject("resources");
    }
}
