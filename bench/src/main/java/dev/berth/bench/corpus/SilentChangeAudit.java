package dev.berth.bench.corpus;

import dev.berth.crds.compose.ComposeProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds silent changes: a leaf value of a service in the (merged, interpolated) compose input that is neither
 * carried into the output nor named by a warning or error. The rules, meant to err towards "silent":
 * <ul>
 *   <li>Covered: a problem's path is the leaf's path or an ancestor of it ({@code services.web.logging} covers
 *       {@code services.web.logging.options.max-size}); a problem without a path covers nothing.</li>
 *   <li>Carried: the output service (the Stack's {@code spec.services} item of that name) has the field(s) the
 *       compose key maps to ({@link #FIELDS}, else the key in camelCase), and every word of the leaf (and, in maps
 *       keyed by the user's names such as {@code environment}, of its key) is among the words of those fields —
 *       see {@link Tokens}. A few compose keys go to other documents (Traefik labels to Routes, secrets and configs
 *       to Secret/Config objects) or to the whole service ({@code deploy}).</li>
 *   <li>A {@code false} leaf counts as carried when the field is absent (false is every such key's default).
 *       {@code x-} keys are skipped (Compose ignores them too). A few words are Compose's own defaults or syntax
 *       ({@link #SYNTAX}) and need not appear.</li>
 * </ul>
 * Anything else is silent, counted by its generalised path ({@link PathPattern}).
 */
final class SilentChangeAudit {
    /** Compose key → the output fields of the service it may land in; "*" the whole service, "@docs" the other documents. */
    static final Map<String, List<String>> FIELDS = Map.ofEntries(
            Map.entry("environment", List.of("env", "secretEnv")),
            Map.entry("build", List.of("build", "image")),
            Map.entry("expose", List.of("ports")),
            Map.entry("tmpfs", List.of("volumes")),
            Map.entry("pull_policy", List.of("imagePullPolicy")),
            Map.entry("deploy", List.of("*")),
            Map.entry("cpus", List.of("resources")),
            Map.entry("mem_limit", List.of("resources")),
            Map.entry("mem_reservation", List.of("resources")),
            Map.entry("memswap_limit", List.of("resources")),
            Map.entry("cpu_shares", List.of("resources")),
            Map.entry("scale", List.of("replicas")),
            Map.entry("links", List.of("aliases", "dependsOn")),
            Map.entry("networks", List.of("networks", "aliases")),
            Map.entry("labels", List.of("labels", "@docs")),
            Map.entry("secrets", List.of("secrets", "secretEnv", "@docs")),
            Map.entry("configs", List.of("configs", "@docs")));
    /** Maps whose keys are the user's names, so the key itself must arrive too. */
    private static final Set<String> NAMED = Set.of("environment", "labels", "sysctls", "extra_hosts", "ulimits",
            "depends_on", "networks", "args", "options", "driver_opts", "annotations");
    /**
     * Leaves that state Compose's own default (by their path below the service, user names as *): leaving them
     * out changes nothing.
     */
    static final Map<String, String> DEFAULTS = Map.of(
            "deploy.mode", "replicated",
            "depends_on.*.condition", "service_started",
            "depends_on.*.required", "true",
            "healthcheck.disable", "false");
    /** Words of Compose's syntax or defaults that a converted value need not repeat. */
    static final Set<String> SYNTAX = Set.of("cmd", "shell", "rw", "tcp", "started", "true");
    /** Words of Traefik's rule syntax, which a Route's hosts and pathPrefixes say by their field. */
    static final Set<String> RULE_SYNTAX = Set.of("host", "pathprefix");
    /** A warning that a router got no Route, naming the router: it covers every label of that router. */
    private static final java.util.regex.Pattern ROUTER_DROPPED =
            java.util.regex.Pattern.compile("router \"([^\"]+)\".*no Route made.*", java.util.regex.Pattern.DOTALL);
    private static final java.util.regex.Pattern TRAEFIK_HTTP =
            java.util.regex.Pattern.compile("traefik\\.(enable|http\\.(routers|middlewares|services)\\..+)");

    List<String> silentPaths(CorpusEntry entry, Map<String, String> environment, String yaml,
                             List<ComposeProblem> problems) throws IOException {
        Map<String, Object> input = InputTree.read(entry, environment);
        Output output = Output.of(yaml);
        Set<String> covered = new HashSet<>();
        problems.forEach(p -> covered.add(p.path()));
        Set<String> droppedRouters = droppedRouters(problems);
        Set<String> silent = new LinkedHashSet<>();
        if (!(input.get("services") instanceof Map<?, ?> services)) {
            return List.of();
        }
        for (Map.Entry<?, ?> s : services.entrySet()) {
            String name = String.valueOf(s.getKey());
            if (!(s.getValue() instanceof Map<?, ?> service)) {
                continue;
            }
            Map<String, Object> out = output.services().get(name);
            for (Map.Entry<?, ?> k : service.entrySet()) {
                String key = String.valueOf(k.getKey());
                if (key.startsWith("x-") || key.equals("extends")) {
                    // extends names where the loader takes more of the service from; the merged result is what
                    // runs, and the key itself is no value of the container
                    continue;
                }
                String path = "services." + name + "." + key;
                List<Leaf> leaves = new ArrayList<>();
                leaves(k.getValue(), path, key, null, leaves);
                for (Leaf leaf : leaves) {
                    if (!isCovered(leaf.path(), covered) && !isDefault(name, leaf)
                            && !routerDropped(name, key, leaf, droppedRouters)
                            && !carried(entry, key, leaf, out, output)) {
                        silent.add(shown(leaf));
                    }
                }
            }
        }
        return List.copyOf(silent);
    }

    private record Leaf(String path, String parentKey, String entryKey, Object value) {
        /** A label as key and value, in either form ({@code - k=v} or {@code k: v}); null for other leaves. */
        String[] label() {
            if (entryKey != null && "labels".equals(parentKey)) {
                return new String[] {entryKey, value == null ? "" : String.valueOf(value)};
            }
            if (path.matches(".*\\.labels\\[\\d+]") && value != null) {
                String text = String.valueOf(value);
                int eq = text.indexOf('=');
                return eq < 0 ? new String[] {text, ""} : new String[] {text.substring(0, eq), text.substring(eq + 1)};
            }
            return null;
        }
    }

    /** "service router" pairs that a warning says got no Route (the warning is at one of the service's labels). */
    private static Set<String> droppedRouters(List<ComposeProblem> problems) {
        Set<String> out = new HashSet<>();
        for (ComposeProblem p : problems) {
            java.util.regex.Matcher m = ROUTER_DROPPED.matcher(p.message());
            if (m.matches() && p.path().matches("services\\.[^.]+\\.labels.*")) {
                String service = p.path().substring("services.".length(), p.path().indexOf(".labels"));
                out.add(service + " " + m.group(1));
            }
        }
        return out;
    }

    /** A label of a router whose warning said it got no Route (and named its labels). */
    private static boolean routerDropped(String service, String key, Leaf leaf, Set<String> droppedRouters) {
        String[] label = key.equals("labels") ? leaf.label() : null;
        if (label == null || !label[0].startsWith("traefik.http.routers.")) {
            return false;
        }
        String rest = label[0].substring("traefik.http.routers.".length());
        return rest.contains(".") && droppedRouters.contains(service + " " + rest.substring(0, rest.indexOf('.')));
    }

    private static boolean isDefault(String service, Leaf leaf) {
        String below = leaf.path().substring(("services." + service + ".").length());
        String pattern = below.startsWith("depends_on.") ? below.replaceFirst("^depends_on\\.[^.]+", "depends_on.*") : below;
        return String.valueOf(leaf.value()).equals(DEFAULTS.get(pattern));
    }

    /** The path, and for a list-form label its key, so Traefik labels count apart from the others. */
    private static String shown(Leaf leaf) {
        if (leaf.path().matches(".*\\.labels\\[\\d+]") && leaf.value() != null) {
            String label = String.valueOf(leaf.value());
            return leaf.path() + "=" + (label.contains("=") ? label.substring(0, label.indexOf('=')) : label);
        }
        return leaf.path();
    }

    private static void leaves(Object node, String path, String parentKey, String entryKey, List<Leaf> out) {
        if (node instanceof Map<?, ?> m && !m.isEmpty()) {
            String last = path.substring(path.lastIndexOf('.') + 1);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                leaves(e.getValue(), path + "." + k, last, k, out);
            }
        } else if (node instanceof List<?> l && !l.isEmpty()) {
            for (int i = 0; i < l.size(); i++) {
                leaves(l.get(i), path + "[" + i + "]", parentKey, null, out);
            }
        } else {
            out.add(new Leaf(path, parentKey, entryKey, node));
        }
    }

    private static boolean isCovered(String path, Set<String> covered) {
        for (String p : covered) {
            if (!p.isEmpty() && (path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "["))) {
                return true;
            }
        }
        return false;
    }

    private boolean carried(CorpusEntry entry, String key, Leaf leaf, Map<String, Object> service, Output output)
            throws IOException {
        if (service == null) {
            return false;
        }
        if (key.equals("env_file")) {
            return envFileCarried(entry, leaf, service);
        }
        String[] label = key.equals("labels") ? leaf.label() : null;
        if (label != null && TRAEFIK_HTTP.matcher(label[0]).matches() && routed(label, leaf, service, output)) {
            return true;
        }
        List<String> fields = FIELDS.getOrDefault(key, List.of(camel(key)));
        List<Object> targets = new ArrayList<>();
        for (String field : fields) {
            if (field.equals("*")) {
                targets.add(service);
            } else if (field.equals("@docs")) {
                targets.add(output.others());
            } else if (service.containsKey(field)) {
                targets.add(service.get(field));
            }
        }
        if (Boolean.FALSE.equals(leaf.value()) || "false".equals(leaf.value())) {
            return targets.isEmpty() || words(targets).contains("false");
        }
        if (targets.isEmpty()) {
            return false;
        }
        Set<String> wanted = new LinkedHashSet<>();
        if (leaf.value() == null) {
            // a key written without a value (networks: {backend:}, environment: {FOO:}): the key is the value
            if (leaf.entryKey() != null) {
                wanted.addAll(Tokens.of(leaf.entryKey()));
            }
        } else {
            if (leaf.path().endsWith(".mode") && leaf.value() instanceof Integer mode) {
                // a file mode: the YAML reader reads 0400 as the octal number 256, which the output writes as "0400"
                wanted.add("0" + Integer.toOctalString(mode));
            } else {
                wanted.addAll(Tokens.of(String.valueOf(leaf.value())));
            }
            if (leaf.entryKey() != null && NAMED.contains(leaf.parentKey())) {
                wanted.addAll(Tokens.of(leaf.entryKey()));
            }
        }
        wanted.removeAll(SYNTAX);
        Set<String> have = words(targets);
        return wanted.stream().allMatch(w -> Tokens.forms(w).stream().anyMatch(have::contains));
    }

    /**
     * A Traefik HTTP label carried into a Route of this service: the label's value (its key is Traefik's syntax, which
     * the Route says by its fields) is among the words of the Routes that target the service. A label with nothing
     * to carry ({@code traefik.enable=true}) needs such a Route to exist.
     */
    private static boolean routed(String[] label, Leaf leaf, Map<String, Object> service, Output output) {
        List<Object> routes = output.others().stream().filter(d -> d instanceof Map<?, ?> m
                && "Route".equals(m.get("kind")) && m.get("spec") instanceof Map<?, ?> spec
                && spec.get("target") instanceof Map<?, ?> target
                && String.valueOf(service.get("name")).equals(String.valueOf(target.get("service")))).toList();
        if (routes.isEmpty()) {
            return false;
        }
        Set<String> wanted = new LinkedHashSet<>(Tokens.of(label[1]));
        wanted.removeAll(SYNTAX);
        wanted.removeAll(RULE_SYNTAX);
        Set<String> have = words(routes);
        return wanted.stream().allMatch(w -> Tokens.forms(w).stream().anyMatch(have::contains));
    }

    /** env_file: its variables are carried when every key of the file is in the service's env. */
    private static boolean envFileCarried(CorpusEntry entry, Leaf leaf, Map<String, Object> service) throws IOException {
        if (!(leaf.value() instanceof String file) || leaf.path().endsWith(".required") || leaf.path().endsWith(".format")) {
            return true;
        }
        Map<String, String> values = InputTree.dotEnv(entry.directory().resolve(file));
        if (values.isEmpty()) {
            // an empty file carries nothing; a missing one is a change unless a warning named it
            return java.nio.file.Files.exists(entry.directory().resolve(file));
        }
        Object env = service.get("env");
        return env instanceof Map<?, ?> m && values.keySet().stream().allMatch(m::containsKey);
    }

    private static Set<String> words(Object node) {
        Set<String> words = new HashSet<>();
        collect(node, words);
        return words;
    }

    private static void collect(Object node, Set<String> words) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                add(String.valueOf(k), words);
                collect(v, words);
            });
        } else if (node instanceof List<?> l) {
            l.forEach(x -> collect(x, words));
        } else if (node != null) {
            add(String.valueOf(node), words);
        }
    }

    private static void add(String text, Set<String> words) {
        Tokens.of(text).forEach(w -> words.addAll(Tokens.forms(w)));
    }

    static String camel(String key) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char c : key.toCharArray()) {
            if (c == '_' || c == '-') {
                up = true;
            } else {
                out.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return out.toString();
    }

    /** The output documents: the Stack's services by name, and every other document (Routes, Secrets, ...). */
    private record Output(Map<String, Map<String, Object>> services, List<Object> others) {
        @SuppressWarnings("unchecked")
        static Output of(String yaml) {
            Map<String, Map<String, Object>> services = new LinkedHashMap<>();
            List<Object> others = new ArrayList<>();
            for (Object document : InputTree.parseAll(yaml)) {
                if (document instanceof Map<?, ?> d && "Stack".equals(d.get("kind"))
                        && d.get("spec") instanceof Map<?, ?> spec && spec.get("services") instanceof List<?> list) {
                    for (Object s : list) {
                        if (s instanceof Map<?, ?> service) {
                            services.put(String.valueOf(service.get("name")), (Map<String, Object>) service);
                        }
                    }
                } else if (document != null) {
                    others.add(document);
                }
            }
            return new Output(services, others);
        }
    }
}
