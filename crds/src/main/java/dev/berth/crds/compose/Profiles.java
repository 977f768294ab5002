package dev.berth.crds.compose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compose's profiles (compose-go types/project.go WithProfiles): a service without {@code profiles:} is always
 * in; one with profiles only when one of them is enabled ({@code --profile}, else {@code COMPOSE_PROFILES};
 * {@code *} enables all). A left-out service is a warning at its {@code profiles:}; a {@code depends_on} on it
 * is an error, as Compose refuses it, unless the dependency says {@code required: false}.
 */
final class Profiles {
    private final Diagnostics diagnostics;
    private final Set<String> enabled;

    Profiles(Diagnostics diagnostics, List<String> enabled) {
        this.diagnostics = diagnostics;
        this.enabled = new TreeSet<>(enabled);
    }

    /** {@code --profile} when given, else the comma-separated {@code COMPOSE_PROFILES}. */
    static List<String> enabled(List<String> flags, String composeProfiles) {
        if (!flags.isEmpty() || composeProfiles == null) {
            return flags;
        }
        return Arrays.stream(composeProfiles.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
    }

    /** The project without the services whose profiles are not enabled. */
    ComposeNode.Mapping apply(ComposeNode.Mapping root) {
        ComposeNode.Entry servicesEntry = root.entries().get("services");
        if (servicesEntry == null || !(servicesEntry.value() instanceof ComposeNode.Mapping services)) {
            return root;
        }
        Map<String, String> leftOut = new LinkedHashMap<>();
        var kept = new LinkedHashMap<String, ComposeNode.Entry>();
        for (ComposeNode.Entry e : services.entries().values()) {
            List<String> profiles = profiles(e);
            if (profiles.isEmpty() || enabled.contains("*") || profiles.stream().anyMatch(enabled::contains)) {
                if (!profiles.isEmpty()) {
                    // Compose runs it only while one of its profiles is enabled; the Stack has no such switch
                    diagnostics.warn(((ComposeNode.Mapping) e.value()).entries().get("profiles"),
                            Paths.child(Paths.child("services", e.key()), "profiles"), "imported, as one of its "
                                    + "profiles (" + String.join(", ", profiles) + ") is enabled; a Stack has no "
                                    + "profiles, so the service always runs");
                }
                kept.put(e.key(), e);
                continue;
            }
            // The path names the whole service (not its profiles key): everything under it is left out, and a
            // reader of the warnings (or the corpus audit) sees that each of its values is gone.
            String path = Paths.child("services", e.key());
            leftOut.put(e.key(), String.join(", ", profiles));
            diagnostics.warn(((ComposeNode.Mapping) e.value()).entries().get("profiles"), path, "service left out: "
                    + "its profiles (" + String.join(", ", profiles) + ") are not enabled; enable one with --profile "
                    + "or COMPOSE_PROFILES");
        }
        if (leftOut.isEmpty()) {
            return root;
        }
        kept.replaceAll((name, e) -> new ComposeNode.Entry(name, e.line(), e.column(), dependencies(e, leftOut),
                e.file()));
        var entries = new LinkedHashMap<>(root.entries());
        entries.put("services", new ComposeNode.Entry("services", servicesEntry.line(), servicesEntry.column(),
                new ComposeNode.Mapping(services.line(), services.column(), kept, services.file()),
                servicesEntry.file()));
        return new ComposeNode.Mapping(root.line(), root.column(), entries, root.file());
    }

    /**
     * The service's profiles. Compose's schema wants a list of names; anything else ({@code profiles: dev}) is an
     * error at the key, never a service silently imported.
     */
    private List<String> profiles(ComposeNode.Entry service) {
        if (!(service.value() instanceof ComposeNode.Mapping m) || m.get("profiles") == null || m.get("profiles").isNull()) {
            return List.of();
        }
        String path = Paths.child(Paths.child("services", service.key()), "profiles");
        if (!(m.get("profiles") instanceof ComposeNode.Sequence s)) {
            diagnostics.error(m.get("profiles"), path, "expected a list of profile names, got "
                    + m.get("profiles").shape());
            return List.of();
        }
        List<String> out = new ArrayList<>();
        s.items().forEach(i -> {
            if (i instanceof ComposeNode.Scalar scalar && scalar.type() == ComposeNode.ScalarType.STRING) {
                out.add(scalar.text());
            } else {
                diagnostics.error(i, path, "expected a profile name, got " + i.shape());
            }
        });
        return out;
    }

    /** The service's depends_on without optional dependencies on left-out services; a required one is an error. */
    private ComposeNode dependencies(ComposeNode.Entry service, Map<String, String> leftOut) {
        service = new ComposeNode.Entry(service.key(), service.line(), service.column(), links(service, leftOut),
                service.file());
        if (!(service.value() instanceof ComposeNode.Mapping m) || m.get("depends_on") == null) {
            return service.value();
        }
        ComposeNode.Entry dependsOn = m.entries().get("depends_on");
        String path = Paths.child(Paths.child("services", service.key()), "depends_on");
        ComposeNode kept;
        if (dependsOn.value() instanceof ComposeNode.Sequence s) {
            List<ComposeNode> items = new ArrayList<>();
            for (ComposeNode item : s.items()) {
                if (item instanceof ComposeNode.Scalar name && leftOut.containsKey(name.text())) {
                    refuse(item, path, service.key(), name.text(), leftOut);
                } else {
                    items.add(item);
                }
            }
            kept = new ComposeNode.Sequence(s.line(), s.column(), items, s.file());
        } else if (dependsOn.value() instanceof ComposeNode.Mapping d) {
            var items = new LinkedHashMap<String, ComposeNode.Entry>();
            for (ComposeNode.Entry dep : d.entries().values()) {
                if (!leftOut.containsKey(dep.key())) {
                    items.put(dep.key(), dep);
                } else if (dep.value() instanceof ComposeNode.Mapping options
                        && options.get("required") instanceof ComposeNode.Scalar required
                        && required.text().equals("false")) {
                    diagnostics.warn(dep, Paths.child(path, dep.key()), "optional dependency on left-out service \""
                            + dep.key() + "\" dropped (required: false)");
                } else {
                    refuse(dep, path, service.key(), dep.key(), leftOut);
                }
            }
            kept = new ComposeNode.Mapping(d.line(), d.column(), items, d.file());
        } else {
            return service.value();
        }
        var entries = new LinkedHashMap<>(m.entries());
        entries.put("depends_on", new ComposeNode.Entry("depends_on", dependsOn.line(), dependsOn.column(), kept,
                dependsOn.file()));
        return new ComposeNode.Mapping(m.line(), m.column(), entries, m.file());
    }

    /** The service without links to left-out services: a link is a dependency in Compose too, so each is an error. */
    private ComposeNode links(ComposeNode.Entry service, Map<String, String> leftOut) {
        if (!(service.value() instanceof ComposeNode.Mapping m) || !(m.get("links") instanceof ComposeNode.Sequence links)) {
            return service.value();
        }
        String path = Paths.child(Paths.child("services", service.key()), "links");
        List<ComposeNode> kept = new ArrayList<>();
        for (ComposeNode item : links.items()) {
            String target = item instanceof ComposeNode.Scalar s ? s.text().split(":", 2)[0] : "";
            if (leftOut.containsKey(target)) {
                diagnostics.error(item, path, "service \"" + service.key() + "\" links to service \"" + target
                        + "\", which is left out (its profiles " + leftOut.get(target) + " are not enabled); enable one"
                        + " with --profile");
            } else {
                kept.add(item);
            }
        }
        var entries = new LinkedHashMap<>(m.entries());
        ComposeNode.Entry e = m.entries().get("links");
        entries.put("links", new ComposeNode.Entry("links", e.line(), e.column(),
                new ComposeNode.Sequence(links.line(), links.column(), kept, links.file()), e.file()));
        return new ComposeNode.Mapping(m.line(), m.column(), entries, m.file());
    }

    private void refuse(Object at, String path, String service, String dependency, Map<String, String> leftOut) {
        String message = "service \"" + service + "\" depends on service \"" + dependency + "\", which is left out "
                + "(its profiles " + leftOut.get(dependency) + " are not enabled); enable one with --profile";
        if (at instanceof ComposeNode.Entry e) {
            diagnostics.error(e, Paths.child(path, dependency), message);
        } else {
            diagnostics.error((ComposeNode) at, path, message);
        }
    }
}
