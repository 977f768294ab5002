package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Swarm's {@code deploy.placement} into the service's own Berth placement: {@code node.hostname==X} constraints
 * name the host, {@code node.labels.K==V} ones become the host selector, {@code max_replicas_per_node} is
 * {@code maxPerHost} and a {@code spread: node.labels.K} preference is {@code spread}. Any other constraint (role,
 * engine labels, platform, {@code !=}) has no counterpart and is a warning.
 */
final class PlacementConverter {
    /** Swarm allows blanks around the operator: {@code node.role == manager}. */
    private static final Pattern CONSTRAINT = Pattern.compile("\\s*(\\S+?)\\s*(==|!=)\\s*(\\S.*?)\\s*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final String LABELS = "node.labels.";

    private final ImportContext context;

    PlacementConverter(ImportContext context) {
        this.context = context;
    }

    /** @param global the service is in global mode, where maxPerHost and spread have no meaning */
    void convert(ComposeNode node, String path, ObjectNode service, boolean global) {
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
                case "constraints" -> constraints(e.value(), keyPath, service);
                case "max_replicas_per_node" -> maxPerNode(e, keyPath, service, global);
                case "preferences" -> preferences(e, keyPath, service, global);
                default -> context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
            }
        }
    }

    private void constraints(ComposeNode node, String path, ObjectNode service) {
        if (!(node instanceof ComposeNode.Sequence s)) {
            context.diagnostics().error(node, path, "expected a list of constraints, got " + node.shape());
            return;
        }
        String host = null;
        for (int i = 0; i < s.items().size(); i++) {
            ComposeNode item = s.items().get(i);
            String itemPath = Paths.item(path, i);
            String text = context.nodes().text(item, itemPath).orElse(null);
            if (text == null) {
                continue;
            }
            Matcher c = CONSTRAINT.matcher(text);
            String field = c.matches() && c.group(2).equals("==") ? c.group(1) : "";
            String value = c.matches() ? c.group(3) : "";
            if (field.equals("node.hostname") && DNS_LABEL.matcher(value).matches()) {
                if (host != null && !host.equals(value)) {
                    context.diagnostics().warn(item, itemPath, "a second node.hostname (\"" + value + "\" after \""
                            + host + "\") matches no host, as in Swarm; dropped");
                } else {
                    host = value;
                }
            } else if (field.equals("node.hostname")) {
                context.diagnostics().warn(item, itemPath, "\"" + value + "\" is not a Berth host name (a DNS "
                        + "label, as the operator registers itself); dropped");
            } else if (field.startsWith(LABELS) && field.length() > LABELS.length()) {
                label(field.substring(LABELS.length()), value, item, itemPath, service);
            } else {
                context.diagnostics().warn(item, itemPath, "constraint \"" + text.strip() + "\" has no Berth "
                        + "counterpart (only node.hostname==NAME and node.labels.KEY==VALUE); dropped");
            }
        }
        if (host != null) {
            ObjectNode placement = placementOf(service);
            if (placement.has("hostSelector")) {
                // Swarm ANDs constraints, Berth's hosts and hostSelector add up: the named host alone is closer.
                context.diagnostics().warn(node, path, "node.labels constraints dropped: with node.hostname the host "
                        + "is named, and a Berth hostSelector next to hosts would add hosts, not narrow them");
                placement.remove("hostSelector");
            }
            placement.putArray("hosts").add(host);
        }
    }

    private void label(String key, String value, ComposeNode item, String itemPath, ObjectNode service) {
        ObjectNode placement = placementOf(service);
        ObjectNode selector = placement.has("hostSelector") ? (ObjectNode) placement.get("hostSelector")
                : placement.putObject("hostSelector");
        if (selector.has(key) && !selector.get(key).asText().equals(value)) {
            context.diagnostics().warn(item, itemPath, "a second value for node.labels." + key + " (\"" + value
                    + "\" after \"" + selector.get(key).asText() + "\") matches no host, as in Swarm; dropped");
            return;
        }
        selector.put(key, value);
    }

    private void maxPerNode(ComposeNode.Entry e, String path, ObjectNode service, boolean global) {
        context.nodes().integer(e.value(), path, 0, 1000).ifPresent(n -> {
            if (global) {
                context.diagnostics().dropped(e, path, "has no meaning in global mode (one replica on every host)");
            } else if (n > 0) { // 0 is Swarm's "no limit", which is Berth's default
                placementOf(service).put("maxPerHost", n);
            }
        });
    }

    private void preferences(ComposeNode.Entry e, String path, ObjectNode service, boolean global) {
        if (!(e.value() instanceof ComposeNode.Sequence s)) {
            context.diagnostics().error(e.value(), path, "expected a list of preferences, got " + e.value().shape());
            return;
        }
        if (global) {
            context.diagnostics().dropped(e, path, "has no meaning in global mode (one replica on every host)");
            return;
        }
        for (int i = 0; i < s.items().size(); i++) {
            String itemPath = Paths.item(path, i);
            ComposeNode item = s.items().get(i);
            String label = item instanceof ComposeNode.Mapping m && m.get("spread") instanceof ComposeNode.Scalar spread
                    && m.entries().size() == 1 && spread.text().startsWith(LABELS)
                    && spread.text().length() > LABELS.length()
                    ? spread.text().substring(LABELS.length()) : null;
            if (label == null) {
                context.diagnostics().warn(item, itemPath, "only a preference spread: node.labels.KEY is supported; "
                        + "dropped");
            } else if (placementOf(service).has("spread")) {
                context.diagnostics().warn(item, itemPath, "Berth spreads by one label; only the first preference "
                        + "is kept; dropped");
            } else {
                placementOf(service).put("spread", label);
            }
        }
    }

    static ObjectNode placementOf(ObjectNode service) {
        return service.has("placement") ? (ObjectNode) service.get("placement") : service.putObject("placement");
    }
}
