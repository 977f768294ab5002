package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;


/**
 * The other names Compose gives a service, as its {@code aliases} (they answer on every network it joins, and across
 * hosts): its networks' {@code aliases}, its {@code container_name} (unless kept as containerName), and the aliases
 * other services' {@code links} give it. Read once every service is converted, since a link names another service.
 * An alias that is another service's name, or an alias an earlier service has, is dropped (the Stack refuses both:
 * one name, one service); each alias is said once, where it is written. A kept containerName is refused for
 * several replicas or a second service.
 */
final class ServiceAliases {
    private final ImportContext context;
    private final boolean keepContainerNames;

    ServiceAliases(ImportContext context, boolean keepContainerNames) {
        this.context = context;
        this.keepContainerNames = keepContainerNames;
    }

    private enum Source { NETWORK, CONTAINER_NAME, LINK }

    /** One alias as written: {@code detail} is the network (NETWORK) or the linking service (LINK). */
    private record Written(String text, ComposeNode at, String path, Source source, String detail) {
    }

    /** @param converted the services as converted, whose specs are changed in place */
    void apply(ComposeNode.Mapping services, List<ServiceConverter.Converted> converted) {
        Map<String, ObjectNode> byCompose = new HashMap<>();
        converted.forEach(c -> byCompose.put(c.composeName(), c.spec()));
        Map<String, List<Written>> written = new LinkedHashMap<>();
        converted.forEach(c -> written.put(c.composeName(), new ArrayList<>()));
        for (ComposeNode.Entry e : services.entries().values()) {
            if (e.value() instanceof ComposeNode.Mapping m && written.containsKey(e.key())) {
                own(m, Paths.child("services", e.key()), written.get(e.key()));
            }
        }
        for (ComposeNode.Entry e : services.entries().values()) {
            if (e.value() instanceof ComposeNode.Mapping m && m.get("links") != null && !m.get("links").isNull()) {
                links(e.key(), m.get("links"), Paths.child(Paths.child("services", e.key()), "links"), byCompose, written);
            }
        }
        Map<String, String> serviceNames = new HashMap<>();
        converted.forEach(c -> serviceNames.put(c.spec().path("name").asText(), c.spec().path("name").asText()));
        Map<String, String> aliasOwner = new HashMap<>();
        Map<String, String> containerNameOwner = new HashMap<>();
        for (ServiceConverter.Converted c : converted) {
            ObjectNode spec = c.spec();
            for (Written w : written.get(c.composeName())) {
                decide(w, spec, serviceNames, aliasOwner);
            }
            if (spec.has("containerName")) {
                ComposeNode.Entry entry = services.entries().get(c.composeName());
                containerName(spec, (ComposeNode.Mapping) entry.value(), Paths.child("services", c.composeName()),
                        containerNameOwner);
            }
            ObjectNode ordered = ServiceConverter.ordered(spec);
            spec.removeAll();
            spec.setAll(ordered);
        }
    }

    /** The service's own: its networks' aliases, and its container_name when that is not kept. */
    private void own(ComposeNode.Mapping service, String path, List<Written> out) {
        for (ComposeNode.Entry e : service.entries().values()) {
            if (e.key().equals("networks") && e.value() instanceof ComposeNode.Mapping networks) {
                for (ComposeNode.Entry network : networks.entries().values()) {
                    if (network.value() instanceof ComposeNode.Mapping options && options.get("aliases") != null) {
                        String at = Paths.child(Paths.child(Paths.child(path, "networks"), network.key()), "aliases");
                        items(options.get("aliases"), at).forEach((itemPath, item) -> context.nodes()
                                .text(item, itemPath).ifPresent(t -> out.add(new Written(t, item, itemPath,
                                        Source.NETWORK, network.key()))));
                    }
                }
            } else if (e.key().equals("container_name") && !keepContainerNames && !e.value().isNull()) {
                String at = Paths.child(path, "container_name");
                context.nodes().text(e.value(), at).ifPresent(t -> out.add(new Written(t, e.value(), at,
                        Source.CONTAINER_NAME, null)));
            }
        }
    }

    /** {@code links: [db]} needs nothing (names resolve on shared networks); {@code db:alias} is an alias of db. */
    private void links(String from, ComposeNode links, String path, Map<String, ObjectNode> byCompose,
                       Map<String, List<Written>> written) {
        items(links, path).forEach((itemPath, item) -> {
            String link = context.nodes().text(item, itemPath).orElse(null);
            if (link == null) {
                return;
            }
            int colon = link.indexOf(':');
            String target = colon < 0 ? link : link.substring(0, colon);
            if (!byCompose.containsKey(target)) {
                context.diagnostics().error(item, itemPath, "service \"" + target + "\" is not a service of this file");
            } else if (colon < 0) {
                context.diagnostics().warn(item, itemPath, "services reach " + byCompose.get(target).path("name").asText()
                        + " by its name on shared networks; nothing to carry (links imply no start order in Berth: "
                        + "use depends_on)");
            } else {
                written.get(target).add(new Written(link.substring(colon + 1), item, itemPath, Source.LINK,
                        context.services().getOrDefault(from, from)));
            }
        });
    }

    /** Keeps or drops one written alias of {@code spec}, and says so once, where it is written. */
    private void decide(Written w, ObjectNode spec, Map<String, String> serviceNames, Map<String, String> aliasOwner) {
        String service = spec.path("name").asText();
        String alias = DnsNames.of(w.text());
        String form = alias.equals(w.text()) ? "" : " (\"" + w.text() + "\" as a DNS label)";
        String container = context.stack() + "-" + service + "-1";
        String lead = switch (w.source()) {
            case CONTAINER_NAME -> "the container is named " + container + ", not " + w.text() + "; ";
            case LINK -> "link alias ";
            case NETWORK -> "alias ";
        };
        String other = serviceNames.get(alias);
        String owner = aliasOwner.get(alias);
        String message;
        if (alias.isEmpty()) {
            message = lead + "\"" + w.text() + "\" gives no DNS name to answer to; dropped";
        } else if (alias.equals(service)) {
            if (w.source() == Source.NETWORK) {
                return; // its own name: answered anyway, nothing changes
            }
            message = lead + "other containers still reach it as " + alias + " (its service name)"
                    + (w.source() == Source.CONTAINER_NAME ? "; --keep-container-names keeps the name" : "");
        } else if (other != null) {
            message = lead + alias + form + " is the name of service " + other + ", which answers to it; dropped";
        } else if (owner != null && !owner.equals(service)) {
            message = lead + alias + form + " is already an alias of service " + owner + ", which keeps it; dropped";
        } else {
            add(spec, alias);
            aliasOwner.putIfAbsent(alias, service);
            message = switch (w.source()) {
                case CONTAINER_NAME -> lead + "other containers still reach it as " + alias + " (an alias"
                        + (form.isEmpty() ? "" : ", the name as a DNS label") + "); --keep-container-names keeps the name";
                case LINK -> lead + alias + form + " becomes an alias of service " + service + ": every service on its "
                        + "networks reaches it by that name, not only " + w.detail();
                case NETWORK -> widening(spec, w, alias, form);
            };
        }
        if (message != null) {
            context.diagnostics().warn(w.at(), w.path(), message);
        }
    }

    /** A network's alias answers on every network the service joins: said when that is more than that network. */
    private String widening(ObjectNode spec, Written w, String alias, String form) {
        Set<String> networks = new LinkedHashSet<>();
        spec.path("networks").forEach(n -> networks.add(n.asText()));
        if (networks.size() > 1) {
            return "alias " + alias + form + " of network " + w.detail() + " answers on every network the service "
                    + "joins (" + String.join(", ", networks) + "): Berth's aliases are the service's";
        }
        return form.isEmpty() ? null : "alias " + alias + form;
    }

    private static void add(ObjectNode spec, String alias) {
        ArrayNode aliases = spec.has("aliases") ? (ArrayNode) spec.get("aliases") : spec.putArray("aliases");
        for (JsonNode existing : aliases) {
            if (existing.asText().equals(alias)) {
                return;
            }
        }
        aliases.add(JsonNodeFactory.instance.textNode(alias));
    }

    /** A list's items by path, or a single value as one item. */
    private static Map<String, ComposeNode> items(ComposeNode node, String path) {
        Map<String, ComposeNode> out = new LinkedHashMap<>();
        if (node instanceof ComposeNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                out.put(Paths.item(path, i), s.items().get(i));
            }
        } else if (!node.isNull()) {
            out.put(path, node);
        }
        return out;
    }

    /** One container per host, one service per name: else two containers would want one Docker name. */
    private void containerName(ObjectNode spec, ComposeNode.Mapping service, String path, Map<String, String> owner) {
        String name = spec.path("containerName").asText();
        ComposeNode at = service.get("container_name");
        String atPath = Paths.child(path, "container_name");
        JsonNode replicas = spec.get("replicas");
        if (replicas != null && replicas.asInt() > 1) {
            context.diagnostics().error(at, atPath, "--keep-container-names: container_name \"" + name
                    + "\" names one container, but the service has " + replicas.asInt() + " replicas; remove "
                    + "container_name or import without --keep-container-names");
        }
        String first = owner.putIfAbsent(name, spec.path("name").asText());
        if (first != null) {
            context.diagnostics().error(at, atPath, "container_name \"" + name + "\" is already the container name of "
                    + "service " + first);
        }
    }
}
