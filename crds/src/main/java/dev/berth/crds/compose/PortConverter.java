package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code ports} (short {@code [ip:][host:]container[/proto]} and long form) and {@code expose}. */
final class PortConverter {
    private final ImportContext context;

    PortConverter(ImportContext context) {
        this.context = context;
    }

    List<ObjectNode> ports(ComposeNode node, String path) {
        List<ObjectNode> out = new ArrayList<>();
        if (!(node instanceof ComposeNode.Sequence list)) {
            context.diagnostics().error(node, path, "expected a list of ports, got " + node.shape());
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            ComposeNode item = list.items().get(i);
            String itemPath = Paths.item(path, i);
            Optional<ObjectNode> port = item instanceof ComposeNode.Mapping m ? longForm(m, itemPath) : shortForm(item, itemPath);
            port.ifPresent(out::add);
        }
        return out;
    }

    /** {@code expose}: container ports reachable from the stack's networks, never published. */
    List<ObjectNode> expose(ComposeNode node, String path) {
        List<ObjectNode> out = new ArrayList<>();
        List<String> values = context.nodes().texts(node, path);
        for (String value : values) {
            String[] proto = value.split("/", 2);
            if (proto[0].contains("-")) {
                context.diagnostics().warn(node, path, "port range \"" + value + "\" is not supported; dropped");
                continue;
            }
            parsePort(proto[0]).ifPresentOrElse(target -> {
                ObjectNode port = port(target, null, proto.length > 1 ? proto[1] : null, null);
                if (protocolOk(port, node, path)) {
                    out.add(port);
                }
            }, () -> context.diagnostics().error(node, path, "\"" + value + "\" is not a port"));
        }
        return out;
    }

    private Optional<ObjectNode> shortForm(ComposeNode item, String path) {
        Optional<String> text = context.nodes().text(item, path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String spec = text.get();
        String protocol = null;
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            protocol = spec.substring(slash + 1);
            spec = spec.substring(0, slash);
        }
        String hostIp = null;
        if (spec.startsWith("[")) {
            int close = spec.indexOf("]:");
            if (close < 0) {
                context.diagnostics().error(item, path, "\"" + text.get() + "\" is not a port mapping");
                return Optional.empty();
            }
            hostIp = spec.substring(1, close);
            spec = spec.substring(close + 2);
        }
        String[] parts = spec.split(":", -1);
        if (parts.length == 3 && hostIp == null) {
            hostIp = parts[0];
            parts = new String[] {parts[1], parts[2]};
        }
        if (parts.length > 2) {
            context.diagnostics().error(item, path, "\"" + text.get() + "\" is not a port mapping");
            return Optional.empty();
        }
        String container = parts[parts.length - 1];
        String host = parts.length == 2 ? parts[0] : null;
        if (container.contains("-") || (host != null && host.contains("-"))) {
            context.diagnostics().warn(item, path, "port range \"" + text.get() + "\" is not supported; dropped");
            return Optional.empty();
        }
        Optional<Integer> target = parsePort(container);
        Optional<Integer> published = host == null || host.isEmpty() ? Optional.empty() : parsePort(host);
        if (target.isEmpty() || (host != null && !host.isEmpty() && published.isEmpty())) {
            context.diagnostics().error(item, path, "\"" + text.get() + "\" is not a port mapping");
            return Optional.empty();
        }
        if (host == null || host.isEmpty()) {
            // Compose publishes "3000" and "ip::3000" on an ephemeral host port; Berth only publishes fixed ones.
            context.diagnostics().warn(item, path, "a random host port is not supported; port "
                    + target.get() + " is not published");
        }
        ObjectNode port = port(target.get(), published.orElse(null), protocol, hostIp == null || hostIp.isEmpty() ? null : hostIp);
        return protocolOk(port, item, path) ? Optional.of(port) : Optional.empty();
    }

    private Optional<ObjectNode> longForm(ComposeNode.Mapping m, String path) {
        Integer target = null;
        Integer published = null;
        String protocol = null;
        String hostIp = null;
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "target" -> target = context.nodes().integer(e.value(), keyPath, 1, 65535).orElse(null);
                case "published" -> {
                    String text = context.nodes().text(e.value(), keyPath).orElse("");
                    if (text.contains("-")) {
                        context.diagnostics().warn(e.value(), keyPath, "port range \"" + text + "\" is not supported; dropped");
                        return Optional.empty();
                    }
                    published = context.nodes().integer(e.value(), keyPath, 1, 65535).orElse(null);
                }
                case "protocol" -> protocol = context.nodes().text(e.value(), keyPath).orElse(null);
                case "host_ip" -> hostIp = context.nodes().text(e.value(), keyPath).orElse(null);
                case "mode" -> {
                    if (!"host".equals(context.nodes().text(e.value(), keyPath).orElse(""))) {
                        context.diagnostics().dropped(e, keyPath, "only host mode exists without Swarm");
                    }
                }
                default -> context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
            }
        }
        if (target == null) {
            context.diagnostics().error(m, path, "a port needs a target");
            return Optional.empty();
        }
        ObjectNode port = port(target, published, protocol, hostIp);
        return protocolOk(port, m, path) ? Optional.of(port) : Optional.empty();
    }

    private boolean protocolOk(ObjectNode port, ComposeNode at, String path) {
        String protocol = port.path("protocol").asText("tcp");
        if (protocol.equals("tcp") || protocol.equals("udp")) {
            return true;
        }
        context.diagnostics().warn(at, path, "protocol \"" + protocol + "\" is not supported (tcp or udp); dropped");
        return false;
    }

    private static ObjectNode port(int target, Integer published, String protocol, String hostIp) {
        ObjectNode port = JsonNodeFactory.instance.objectNode();
        port.put("target", target);
        if (published != null) {
            port.put("published", published);
        }
        if (protocol != null && !protocol.equals("tcp")) {
            port.put("protocol", protocol);
        }
        if (hostIp != null) {
            port.put("hostIp", hostIp);
        }
        return port;
    }

    private static Optional<Integer> parsePort(String text) {
        try {
            int port = Integer.parseInt(text.strip());
            return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
