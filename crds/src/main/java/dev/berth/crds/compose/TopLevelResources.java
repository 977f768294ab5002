package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The top-level {@code networks} and {@code volumes}: which stack networks to declare, which existing networks
 * services join by name, and the Docker name of every volume ({@code <project>_<name>} with Compose's project
 * name, as Compose names it, so the data of a Compose project is found again). Berth names a stack network's Docker
 * network {@code <stack>_<network>}; where that is not Compose's name, a warning says so.
 */
final class TopLevelResources {
    /** The names Docker gives networks (and Berth's Stack schema takes for networks a stack joins but does not own). */
    private static final Pattern DOCKER_NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}");
    private static final Pattern IPV4_CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}");

    private final Diagnostics diagnostics;
    private final Nodes nodes;
    private final ProjectName project;
    final Map<String, String> networkNames = new LinkedHashMap<>();
    final Map<String, String> volumeNames = new LinkedHashMap<>();
    final List<ObjectNode> stackNetworks = new ArrayList<>();
    String defaultNetwork = "default";

    TopLevelResources(Diagnostics diagnostics, Nodes nodes, ProjectName project) {
        this.diagnostics = diagnostics;
        this.nodes = nodes;
        this.project = project;
        networkNames.put("default", "default");
    }

    void networks(ComposeNode node) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            diagnostics.error(node, "networks", "expected a mapping, got " + node.shape());
            return;
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            network(e, Paths.child("networks", e.key()));
        }
    }

    private void network(ComposeNode.Entry entry, String path) {
        String berth = DnsNames.of(entry.key());
        ObjectNode network = JsonNodeFactory.instance.objectNode();
        network.put("name", berth);
        boolean external = false;
        String explicitName = null;
        if (entry.value() instanceof ComposeNode.Mapping m) {
            for (ComposeNode.Entry e : m.entries().values()) {
                String keyPath = Paths.child(path, e.key());
                if (e.value().isNull()) {
                    continue;
                }
                switch (e.key()) {
                    case "external" -> external = nodes.bool(e.value(), keyPath).orElse(false);
                    case "name" -> explicitName = nodes.text(e.value(), keyPath).orElse(null);
                    case "driver" -> {
                        String driver = nodes.text(e.value(), keyPath).orElse("bridge");
                        if (!driver.equals("bridge")) {
                            diagnostics.warn(e, keyPath, "driver \"" + driver + "\" is not supported (stack networks are "
                                    + "bridges; use a Berth Network across hosts); using bridge");
                        }
                    }
                    case "internal" -> nodes.bool(e.value(), keyPath).filter(b -> b).ifPresent(b -> network.put("internal", true));
                    case "labels" -> {
                        ObjectNode labels = network.putObject("labels");
                        nodes.keyValues(e.value(), keyPath).values()
                                .forEach(kv -> labels.put(kv.key(), kv.value() == null ? "" : kv.value()));
                    }
                    case "ipam" -> ipam(e.value(), keyPath, network);
                    default -> diagnostics.dropped(e, keyPath, "not supported by the Stack schema");
                }
            }
        } else if (!entry.value().isNull()) {
            diagnostics.error(entry.value(), path, "expected a mapping, got " + entry.value().shape());
        }
        if (external) {
            // Not the stack's: services join the existing Docker network (or Berth Network) of that name.
            String existing = explicitName == null ? entry.key() : explicitName;
            // Berth only joins it, by its exact name: any name Docker takes will do (traefik_proxy, <project>_default).
            if (!DOCKER_NETWORK.matcher(existing).matches()) {
                diagnostics.error(entry, path, "external network \"" + existing + "\" is not a Docker network name "
                        + "(letters, digits, '_', '.' and '-', starting with a letter or digit)");
                return;
            }
            if (dev.berth.crds.stack.DockerBuiltInNetworkCheck.builtIn(existing)) {
                diagnostics.error(entry, path, "external network \"" + existing + "\" is Docker's built-in network, "
                        + "which takes no per-container names (Berth gives every container its service's name); remove "
                        + "it (the stack's default network reaches outside like bridge), or name a user-defined network");
            }
            networkNames.put(entry.key(), existing);
            if (entry.key().equals("default")) {
                defaultNetwork = existing;
            }
            return;
        }
        String docker = project.stack() + "_" + berth;
        if (explicitName != null) {
            diagnostics.warn(entry, Paths.child(path, "name"), "the Docker network is named " + docker
                    + " by Berth; name \"" + explicitName + "\" dropped");
        } else if (!berth.equals(entry.key())) {
            diagnostics.warn(entry, path, "network renamed to \"" + berth + "\" (Berth names are DNS labels); its Docker "
                    + "network is " + docker + " (Compose: " + project.docker(entry.key()) + ")");
        }
        networkNames.put(entry.key(), berth);
        if (network.size() > 1 || !berth.equals("default")) {
            stackNetworks.add(network);
        }
    }

    private void ipam(ComposeNode node, String path, ObjectNode network) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            diagnostics.error(node, path, "expected a mapping, got " + node.shape());
            return;
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (!e.key().equals("config") || !(e.value() instanceof ComposeNode.Sequence configs)) {
                diagnostics.dropped(e, keyPath, "not supported by the Stack schema");
                continue;
            }
            for (int i = 0; i < configs.items().size(); i++) {
                String itemPath = Paths.item(keyPath, i);
                if (!(configs.items().get(i) instanceof ComposeNode.Mapping config)) {
                    diagnostics.error(configs.items().get(i), itemPath, "expected a mapping");
                    continue;
                }
                for (ComposeNode.Entry c : config.entries().values()) {
                    String configPath = Paths.child(itemPath, c.key());
                    String subnet = c.key().equals("subnet") ? nodes.text(c.value(), configPath).orElse("") : null;
                    if (subnet != null && i == 0 && IPV4_CIDR.matcher(subnet).matches()) {
                        network.put("subnet", subnet);
                    } else {
                        diagnostics.dropped(c, configPath, subnet != null
                                ? "only one IPv4 subnet per network is supported" : "not supported by the Stack schema");
                    }
                }
            }
        }
    }

    void volumes(ComposeNode node) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            diagnostics.error(node, "volumes", "expected a mapping, got " + node.shape());
            return;
        }
        for (ComposeNode.Entry entry : m.entries().values()) {
            String path = Paths.child("volumes", entry.key());
            String name = project.docker(entry.key());
            if (entry.value() instanceof ComposeNode.Mapping options) {
                String explicit = null;
                boolean external = false;
                for (ComposeNode.Entry e : options.entries().values()) {
                    String keyPath = Paths.child(path, e.key());
                    if (e.value().isNull()) {
                        continue;
                    }
                    switch (e.key()) {
                        case "name" -> explicit = nodes.text(e.value(), keyPath).orElse(null);
                        case "external" -> external = nodes.bool(e.value(), keyPath).orElse(false);
                        case "driver" -> {
                            if (!"local".equals(nodes.text(e.value(), keyPath).orElse("local"))) {
                                diagnostics.dropped(e, keyPath, "volume drivers are not supported (Docker's local driver is used)");
                            }
                        }
                        default -> diagnostics.dropped(e, keyPath, "not supported (Docker creates the volume with defaults)");
                    }
                }
                if (explicit != null) {
                    name = explicit;
                } else if (external) {
                    name = entry.key();
                }
            } else if (!entry.value().isNull()) {
                diagnostics.error(entry.value(), path, "expected a mapping, got " + entry.value().shape());
            }
            volumeNames.put(entry.key(), name);
        }
    }
}
