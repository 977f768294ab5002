package dev.berth.crds.compose;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compose's merge of one file over another (compose-go override/merge.go and override/uncity.go): mappings merge
 * key by key, lists append, scalars are replaced; {@code command}, {@code entrypoint} and {@code healthcheck.test}
 * are replaced whole; {@code environment}, {@code labels} and their kind merge as {@code KEY=VALUE} lists where the
 * later file's key wins; {@code ports}, {@code volumes}, {@code secrets}, ... keep one entry per port, target or
 * value. {@code !reset} removes a value of the earlier files, {@code !override} replaces it without merging.
 * Every value keeps the file and place it was written at.
 */
final class ComposeMerge {
    private static final String[] REPLACED = {"services.*.command", "services.*.entrypoint",
            "services.*.healthcheck.test"};
    private static final String[] TO_SEQUENCE = {"networks.*.labels", "volumes.*.labels", "services.*.annotations",
            "services.*.build.args", "services.*.build.additional_contexts", "services.*.build.labels",
            "services.*.deploy.labels", "services.*.dns", "services.*.dns_opt", "services.*.dns_search",
            "services.*.env_file", "services.*.label_file", "services.*.environment", "services.*.labels",
            "services.*.sysctls", "services.*.tmpfs"};
    private static final Map<String, Function<ComposeNode, String>> UNIQUE = new LinkedHashMap<>();

    static {
        for (String keyed : new String[] {"services.*.annotations", "services.*.build.args",
                "services.*.build.additional_contexts", "services.*.build.platform", "services.*.build.tags",
                "services.*.build.labels", "services.*.cap_add", "services.*.cap_drop", "services.*.deploy.labels",
                "services.*.dns", "services.*.dns_opt", "services.*.dns_search", "services.*.environment",
                "services.*.labels", "services.*.links", "services.*.networks.*.aliases",
                "services.*.networks.*.link_local_ips", "services.*.profiles", "services.*.sysctls",
                "services.*.tmpfs"}) {
            UNIQUE.put(keyed, ComposeMerge::keyOf);
        }
        UNIQUE.put("services.*.env_file", n -> field(n, "path"));
        UNIQUE.put("services.*.expose", ComposeMerge::text);
        UNIQUE.put("services.*.ports", ComposeMerge::portKey);
        UNIQUE.put("services.*.volumes", ComposeMerge::volumeTarget);
        UNIQUE.put("services.*.devices", ComposeMerge::deviceTarget);
        UNIQUE.put("services.*.secrets", n -> mountTarget(n, "/run/secrets"));
        UNIQUE.put("services.*.configs", n -> mountTarget(n, ""));
    }

    private final Diagnostics diagnostics;
    private final ComposeTags tags;

    /** @param tags the tags of the file merged over the earlier ones */
    ComposeMerge(Diagnostics diagnostics, ComposeTags tags) {
        this.diagnostics = diagnostics;
        this.tags = tags;
    }

    /** {@code over} merged over {@code base}, both whole files (or services, with {@code path} "services.x"). */
    ComposeNode.Mapping merge(ComposeNode.Mapping base, ComposeNode.Mapping over, String path) {
        return mergeMappings(base, over, path.isEmpty() ? List.of() : List.of(path.split("\\.", 2)), path);
    }

    /** A file's own tree without its {@code !reset} values: they only clear what earlier files set. */
    ComposeNode strip(ComposeNode node) {
        if (tags.isEmpty()) {
            return node;
        }
        if (node instanceof ComposeNode.Mapping m) {
            var entries = new LinkedHashMap<String, ComposeNode.Entry>();
            m.entries().forEach((key, e) -> {
                if (tags.of(e.value()) != ComposeTags.Tag.RESET) {
                    entries.put(key, new ComposeNode.Entry(key, e.line(), e.column(), strip(e.value()), e.file()));
                }
            });
            return new ComposeNode.Mapping(m.line(), m.column(), entries, m.file());
        }
        if (node instanceof ComposeNode.Sequence s) {
            List<ComposeNode> items = new ArrayList<>();
            s.items().stream().filter(i -> tags.of(i) != ComposeTags.Tag.RESET).forEach(i -> items.add(strip(i)));
            return new ComposeNode.Sequence(s.line(), s.column(), items, s.file());
        }
        return node;
    }

    private ComposeNode.Mapping mergeMappings(ComposeNode.Mapping base, ComposeNode.Mapping over, List<String> keys,
                                              String path) {
        var entries = new LinkedHashMap<>(base.entries());
        over.entries().forEach((key, e) -> {
            ComposeTags.Tag tag = tags.of(e.value());
            ComposeNode.Entry was = entries.get(key);
            if (tag == ComposeTags.Tag.RESET) {
                entries.remove(key);
            } else if (was == null || was.value().isNull() || tag == ComposeTags.Tag.OVERRIDE) {
                entries.put(key, new ComposeNode.Entry(key, e.line(), e.column(), strip(e.value()), e.file()));
            } else if (!e.value().isNull()) {
                // The later file's key names the place: that is where the value that wins was written.
                List<String> next = new ArrayList<>(keys);
                next.add(key);
                ComposeNode merged = mergeValue(was.value(), e.value(), next, Paths.child(path, key));
                // Except services: that key is the project's, where its first file starts listing them.
                ComposeNode.Entry place = path.isEmpty() && key.equals("services") ? was : e;
                entries.put(key, new ComposeNode.Entry(key, place.line(), place.column(), merged, place.file()));
            }
        });
        return new ComposeNode.Mapping(base.line(), base.column(), entries, base.file());
    }

    private ComposeNode mergeValue(ComposeNode base, ComposeNode over, List<String> keys, String path) {
        if (matches(keys, REPLACED) || matches(keys, "services.*.ulimits.*")) {
            return strip(over);
        }
        if (matches(keys, TO_SEQUENCE)) {
            return unique(keys, append(toSequence(base), toSequence(strip(over)), base));
        }
        if (matches(keys, "services.*.extra_hosts", "services.*.build.extra_hosts")) {
            ComposeNode.Sequence left = toSequence(base);
            List<String> seen = left.items().stream().map(ComposeMerge::text).toList();
            List<ComposeNode> added = toSequence(strip(over)).items().stream()
                    .filter(i -> !seen.contains(text(i))).toList();
            return append(left, new ComposeNode.Sequence(over.line(), over.column(), added, over.file()), base);
        }
        if (matches(keys, "services.*.depends_on")) {
            return mergeMappings(toMapping(base, true), toMapping(over, true), keys, path);
        }
        if (matches(keys, "services.*.networks")) {
            return mergeMappings(toMapping(base, false), toMapping(over, false), keys, path);
        }
        if (matches(keys, "services.*.build")) {
            return mergeMappings(buildMapping(base), buildMapping(over), keys, path);
        }
        if (matches(keys, "services.*.logging") && base instanceof ComposeNode.Mapping b
                && over instanceof ComposeNode.Mapping o) {
            ComposeNode baseDriver = b.get("driver");
            ComposeNode overDriver = o.get("driver");
            if (baseDriver == null || overDriver == null || text(baseDriver).equals(text(overDriver))) {
                return mergeMappings(b, o, keys, path);
            }
            return strip(o);
        }
        if (base instanceof ComposeNode.Mapping b) {
            if (!(over instanceof ComposeNode.Mapping o)) {
                throw diagnostics.stop(over, path, "cannot override " + base.shape() + " (from " + where(base)
                        + ") with " + over.shape());
            }
            return mergeMappings(b, o, keys, path);
        }
        if (base instanceof ComposeNode.Sequence b) {
            if (!(over instanceof ComposeNode.Sequence o)) {
                throw diagnostics.stop(over, path, "cannot override a list (from " + where(base) + ") with "
                        + over.shape());
            }
            return unique(keys, append(b, (ComposeNode.Sequence) strip(o), base));
        }
        return strip(over);
    }

    private static String where(ComposeNode node) {
        return (node.file() == null ? "" : node.file() + ":") + node.line() + ":" + node.column();
    }

    private static ComposeNode.Sequence append(ComposeNode.Sequence left, ComposeNode.Sequence right,
                                               ComposeNode at) {
        List<ComposeNode> items = new ArrayList<>(left.items());
        items.addAll(right.items());
        return new ComposeNode.Sequence(at.line(), at.column(), items, at.file());
    }

    /**
     * The project with each service's lists made unique as compose-go does after every file, the first included
     * ({@code ports: ["8080:80", "8080:80"]} is one port; two volumes at one target: the later one).
     */
    static ComposeNode.Mapping unique(ComposeNode.Mapping root) {
        if (!(root.get("services") instanceof ComposeNode.Mapping services)) {
            return root;
        }
        var resolved = new LinkedHashMap<String, ComposeNode.Entry>();
        services.entries().forEach((name, s) -> {
            ComposeNode value = s.value();
            if (value instanceof ComposeNode.Mapping m) {
                var entries = new LinkedHashMap<String, ComposeNode.Entry>();
                m.entries().forEach((key, e) -> entries.put(key, e.value() instanceof ComposeNode.Sequence seq
                        ? new ComposeNode.Entry(key, e.line(), e.column(), unique(List.of("services", name, key), seq),
                                e.file())
                        : e));
                value = new ComposeNode.Mapping(m.line(), m.column(), entries, m.file());
            }
            resolved.put(name, new ComposeNode.Entry(name, s.line(), s.column(), value, s.file()));
        });
        ComposeNode.Entry entry = root.entries().get("services");
        var entries = new LinkedHashMap<>(root.entries());
        entries.put("services", new ComposeNode.Entry("services", entry.line(), entry.column(),
                new ComposeNode.Mapping(services.line(), services.column(), resolved, services.file()), entry.file()));
        return new ComposeNode.Mapping(root.line(), root.column(), entries, root.file());
    }

    /** One entry per key, the later value in the earlier one's slot (EnforceUnicity). */
    private static ComposeNode.Sequence unique(List<String> keys, ComposeNode.Sequence sequence) {
        Function<ComposeNode, String> indexer = UNIQUE.entrySet().stream().filter(u -> matches(keys, u.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (indexer == null) {
            return sequence;
        }
        List<ComposeNode> items = new ArrayList<>();
        Map<String, Integer> slots = new LinkedHashMap<>();
        for (ComposeNode item : sequence.items()) {
            String key = indexer.apply(item);
            Integer slot = key == null ? null : slots.get(key);
            if (slot != null) {
                items.set(slot, item);
            } else {
                items.add(item);
                if (key != null) {
                    slots.put(key, items.size() - 1);
                }
            }
        }
        return new ComposeNode.Sequence(sequence.line(), sequence.column(), items, sequence.file());
    }

    /** A mapping written as a list of {@code KEY=VALUE} at the keys' places, sorted as compose-go sorts it. */
    private static ComposeNode.Sequence toSequence(ComposeNode node) {
        if (node instanceof ComposeNode.Sequence s) {
            return s;
        }
        List<ComposeNode> items = new ArrayList<>();
        if (node instanceof ComposeNode.Mapping m) {
            for (ComposeNode.Entry e : m.entries().values()) {
                List<ComposeNode> values = e.value() instanceof ComposeNode.Sequence s ? s.items() : List.of(e.value());
                for (ComposeNode value : values) {
                    String text = value.isNull() ? e.key() : e.key() + "=" + text(value);
                    items.add(new ComposeNode.Scalar(e.line(), e.column(), ComposeNode.ScalarType.STRING, text,
                            e.file()));
                }
            }
            items.sort(Comparator.comparing(ComposeMerge::text));
        } else if (!node.isNull()) {
            items.add(node);
        }
        return new ComposeNode.Sequence(node.line(), node.column(), items, node.file());
    }

    /** {@code depends_on} and service {@code networks}: a list of names as a mapping of names. */
    private static ComposeNode.Mapping toMapping(ComposeNode node, boolean dependsOn) {
        if (node instanceof ComposeNode.Mapping m) {
            return m;
        }
        var entries = new LinkedHashMap<String, ComposeNode.Entry>();
        if (node instanceof ComposeNode.Sequence s) {
            for (ComposeNode item : s.items()) {
                ComposeNode value = new ComposeNode.Scalar(item.line(), item.column(), ComposeNode.ScalarType.NULL,
                        "", item.file());
                if (dependsOn) {
                    var condition = new LinkedHashMap<String, ComposeNode.Entry>();
                    condition.put("condition", new ComposeNode.Entry("condition", item.line(), item.column(),
                            new ComposeNode.Scalar(item.line(), item.column(), ComposeNode.ScalarType.STRING,
                                    "service_started", item.file()), item.file()));
                    value = new ComposeNode.Mapping(item.line(), item.column(), condition, item.file());
                }
                entries.put(text(item), new ComposeNode.Entry(text(item), item.line(), item.column(), value,
                        item.file()));
            }
        }
        return new ComposeNode.Mapping(node.line(), node.column(), entries, node.file());
    }

    private static ComposeNode.Mapping buildMapping(ComposeNode node) {
        if (node instanceof ComposeNode.Mapping m) {
            return m;
        }
        var entries = new LinkedHashMap<String, ComposeNode.Entry>();
        entries.put("context", new ComposeNode.Entry("context", node.line(), node.column(), node, node.file()));
        return new ComposeNode.Mapping(node.line(), node.column(), entries, node.file());
    }

    private static String text(ComposeNode node) {
        return node instanceof ComposeNode.Scalar s ? s.text() : null;
    }

    private static String keyOf(ComposeNode node) {
        String text = text(node);
        if (text == null) {
            return null;
        }
        int eq = text.indexOf('=');
        return eq < 0 ? text : text.substring(0, eq);
    }

    private static String field(ComposeNode node, String key) {
        if (node instanceof ComposeNode.Mapping m) {
            ComposeNode value = m.get(key);
            return value == null ? null : text(value);
        }
        return text(node);
    }

    /**
     * A port in compose-go's canonical (long) form, as its unicity index compares them after the short syntax is
     * expanded: {@code "8080:80"} and {@code {target: 80, published: 8080}} are one port.
     */
    private static String portKey(ComposeNode node) {
        String host;
        String published;
        String target;
        String protocol;
        if (node instanceof ComposeNode.Mapping m) {
            host = field(m, "host_ip");
            published = field(m, "published");
            target = field(m, "target");
            protocol = field(m, "protocol");
        } else {
            String text = text(node);
            if (text == null) {
                return null;
            }
            int slash = text.indexOf('/');
            protocol = slash < 0 ? null : text.substring(slash + 1);
            String address = slash < 0 ? text : text.substring(0, slash);
            int last = address.lastIndexOf(':');
            target = address.substring(last + 1);
            String rest = last < 0 ? "" : address.substring(0, last);
            int hostEnd = rest.lastIndexOf(':');
            published = hostEnd < 0 ? rest : rest.substring(hostEnd + 1);
            host = hostEnd < 0 ? "" : rest.substring(0, hostEnd).replace("[", "").replace("]", "");
        }
        return (host == null ? "" : host) + ":" + (published == null ? "" : published) + ":" + target + "/"
                + (protocol == null || protocol.isEmpty() ? "tcp" : protocol);
    }

    private static String volumeTarget(ComposeNode node) {
        if (node instanceof ComposeNode.Mapping) {
            return field(node, "target");
        }
        String text = text(node);
        if (text == null) {
            return null;
        }
        String[] parts = text.split(":");
        return parts.length == 1 ? parts[0] : parts[1];
    }

    private static String deviceTarget(ComposeNode node) {
        return volumeTarget(node);
    }

    private static String mountTarget(ComposeNode node, String defaultFolder) {
        if (node instanceof ComposeNode.Mapping m) {
            String target = field(m, "target");
            return target != null ? target : defaultFolder + "/" + field(m, "source");
        }
        return defaultFolder + "/" + text(node);
    }

    static boolean matches(List<String> parts, String... patterns) {
        for (String pattern : patterns) {
            String[] want = pattern.split("\\.", -1);
            if (want.length != parts.size()) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < want.length && all; i++) {
                all = want[i].equals("*") || want[i].equals(parts.get(i));
            }
            if (all) {
                return true;
            }
        }
        return false;
    }
}
