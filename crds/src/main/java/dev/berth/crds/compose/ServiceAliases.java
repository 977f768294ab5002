package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What needs every converted service at once: a link's alias ({@code links: [db:database]}) becomes an alias of the
 * linked service; an alias that is another service's name, or an alias an earlier service has, is dropped (the Stack
 * refuses both: one name, one service); a kept containerName is refused for several replicas or a second service.
 */
final class ServiceAliases {
    private final ImportContext context;

    ServiceAliases(ImportContext context) {
        this.context = context;
    }

    /** @param converted the services as converted, whose specs are changed in place */
    void apply(ComposeNode.Mapping services, List<ServiceConverter.Converted> converted) {
        Map<String, ObjectNode> byCompose = new HashMap<>();
        converted.forEach(c -> byCompose.put(c.composeName(), c.spec()));
        for (ComposeNode.Entry e : services.entries().values()) {
            if (e.value() instanceof ComposeNode.Mapping m && m.entries().get("links") != null
                    && !m.entries().get("links").value().isNull()) {
                links(m.entries().get("links"), Paths.child(Paths.child("services", e.key()), "links"), byCompose);
            }
        }
        Map<String, String> serviceOfName = new HashMap<>();
        converted.forEach(c -> serviceOfName.put(c.spec().path("name").asText(), c.spec().path("name").asText()));
        Map<String, String> aliasOwner = new HashMap<>();
        Map<String, String> containerNameOwner = new HashMap<>();
        for (ServiceConverter.Converted c : converted) {
            ObjectNode spec = c.spec();
            String name = spec.path("name").asText();
            ComposeNode.Entry at = services.entries().get(c.composeName());
            String path = Paths.child("services", c.composeName());
            if (spec.get("aliases") instanceof ArrayNode aliases) {
                for (int i = aliases.size() - 1; i >= 0; i--) {
                    String alias = aliases.get(i).asText();
                    String other = serviceOfName.get(alias);
                    if (other != null) {
                        context.diagnostics().warn(at, path, "alias " + alias + " of service " + name
                                + " is the name of service " + other + ", which answers to it; dropped");
                        aliases.remove(i);
                    }
                }
                List<String> kept = new ArrayList<>();
                aliases.forEach(a -> kept.add(a.asText()));
                for (int i = aliases.size() - 1; i >= 0; i--) {
                    String alias = aliases.get(i).asText();
                    String first = aliasOwner.get(alias);
                    if (first != null && !first.equals(name)) {
                        context.diagnostics().warn(at, path, "alias " + alias + " of service " + name
                                + " is already an alias of service " + first + ", which keeps it; dropped");
                        aliases.remove(i);
                    }
                }
                kept.forEach(a -> aliasOwner.putIfAbsent(a, name));
                if (aliases.isEmpty()) {
                    spec.remove("aliases");
                }
            }
            if (spec.has("containerName")) {
                containerName(spec, at, path, containerNameOwner);
            }
            ObjectNode ordered = ServiceConverter.reordered(spec);
            spec.removeAll();
            spec.setAll(ordered);
        }
    }

    /** {@code links: [db]} needs nothing (names resolve on shared networks); {@code db:alias} adds the alias to db. */
    private void links(ComposeNode.Entry links, String path, Map<String, ObjectNode> byCompose) {
        List<ComposeNode> items = links.value() instanceof ComposeNode.Sequence s ? s.items() : List.of(links.value());
        for (int i = 0; i < items.size(); i++) {
            ComposeNode item = items.get(i);
            String itemPath = links.value() instanceof ComposeNode.Sequence ? Paths.item(path, i) : path;
            String link = context.nodes().text(item, itemPath).orElse(null);
            if (link == null) {
                continue;
            }
            int colon = link.indexOf(':');
            String target = colon < 0 ? link : link.substring(0, colon);
            ObjectNode spec = byCompose.get(target);
            if (spec == null) {
                context.diagnostics().error(item, itemPath, "service \"" + target + "\" is not a service of this file");
                continue;
            }
            String written = colon < 0 ? "" : link.substring(colon + 1);
            String alias = DnsNames.of(written);
            String targetName = spec.path("name").asText();
            if (colon < 0 || alias.equals(targetName)) {
                context.diagnostics().warn(item, itemPath, "services reach " + targetName + " by its name on shared "
                        + "networks; nothing to carry (links imply no start order in Berth: use depends_on)");
            } else if (alias.isEmpty()) {
                context.diagnostics().warn(item, itemPath, "alias \"" + written + "\" gives no DNS name; dropped");
            } else {
                ServiceConverter.addAlias(spec, alias);
                context.diagnostics().warn(item, itemPath, "alias " + alias + " is added to service " + targetName
                        + (alias.equals(written) ? "" : " (\"" + written + "\" as a DNS label)")
                        + ": every service on its networks reaches it by that name, not only this one");
            }
        }
    }

    /** One container per host, one service per name: else two containers would want one Docker name. */
    private void containerName(ObjectNode spec, ComposeNode.Entry service, String path, Map<String, String> owner) {
        String name = spec.path("containerName").asText();
        ComposeNode at = service.value() instanceof ComposeNode.Mapping m && m.get("container_name") != null
                ? m.get("container_name") : service.value();
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
