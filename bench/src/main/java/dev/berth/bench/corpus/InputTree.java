package dev.berth.bench.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The compose input as Compose itself would see it, read independently of the importer so the audit does not share
 * its bugs: YAML with anchors and merge keys resolved (SnakeYAML), the override file merged over the main file
 * (mappings key by key, lists unioned), and every string value interpolated from the fixed environment plus the
 * folder's {@code .env}.
 */
final class InputTree {
    private InputTree() {
    }

    static Map<String, Object> read(CorpusEntry entry, Map<String, String> environment) throws IOException {
        Map<String, String> variables = new HashMap<>(dotEnv(entry.directory().resolve(".env")));
        variables.putAll(environment);
        Map<String, Object> merged = load(entry.compose());
        for (Path override : entry.overrides()) {
            merged = merge(merged, load(override));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> interpolated = (Map<String, Object>) interpolate(merged, variables);
        return interpolated;
    }

    /** A YAML document as plain maps, lists and scalars. */
    static Object parse(String text) {
        return yaml().load(text);
    }

    static List<Object> parseAll(String text) {
        List<Object> documents = new ArrayList<>();
        yaml().loadAll(text).forEach(documents::add);
        return documents;
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10_000);
        options.setAllowDuplicateKeys(true);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, new Yaml12Booleans());
    }

    /**
     * Compose reads YAML 1.2, where only true and false are booleans: restart: no is the string "no". SnakeYAML's
     * YAML 1.1 would make it false, and the audit would then miss it in the output.
     */
    private static final class Yaml12Booleans extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, java.util.regex.Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file) throws IOException {
        Object root = parse(Files.readString(file, StandardCharsets.UTF_8));
        return root instanceof Map<?, ?> m ? (Map<String, Object>) stringKeys(m) : new LinkedHashMap<>();
    }

    private static Object stringKeys(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), stringKeys(v)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(InputTree::stringKeys).toList();
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((k, v) -> {
            Object b = out.get(k);
            if (b instanceof Map<?, ?> bm && v instanceof Map<?, ?> vm) {
                out.put(k, merge((Map<String, Object>) bm, (Map<String, Object>) vm));
            } else if (b instanceof List<?> bl && v instanceof List<?> vl) {
                List<Object> union = new ArrayList<>(bl);
                vl.stream().filter(x -> !union.contains(x)).forEach(union::add);
                out.put(k, union);
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Object interpolate(Object node, Map<String, String> variables) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), interpolate(v, variables)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(x -> interpolate(x, variables)).toList();
        }
        return node instanceof String s ? substitute(s, variables) : node;
    }

    /** Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR:+alt}, $VAR and $$. */
    static String substitute(String text, Map<String, String> variables) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int end = closing(text, i + 2);
                if (end < 0) {
                    out.append(text.substring(i));
                    break;
                }
                out.append(braced(text.substring(i + 2, end), variables));
                i = end + 1;
            } else if (Character.isLetter(next) || next == '_') {
                int end = i + 1;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                    end++;
                }
                out.append(variables.getOrDefault(text.substring(i + 1, end), ""));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int closing(String text, int from) {
        int depth = 1;
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                depth++;
            } else if (text.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String braced(String body, Map<String, String> variables) {
        int n = 0;
        while (n < body.length() && (Character.isLetterOrDigit(body.charAt(n)) || body.charAt(n) == '_')) {
            n++;
        }
        String name = body.substring(0, n);
        String rest = body.substring(n);
        String value = variables.get(name);
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(1) : rest;
        boolean set = colon ? value != null && !value.isEmpty() : value != null;
        if (op.startsWith("-")) {
            return set ? value : substitute(op.substring(1), variables);
        }
        if (op.startsWith("+")) {
            return set ? substitute(op.substring(1), variables) : "";
        }
        return value == null ? "" : value;
    }

    /** KEY=VALUE lines, as much of Compose's dotenv as the audit needs. */
    static Map<String, String> dotEnv(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.startsWith("export ")) {
                l = l.substring(7).strip();
            }
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = l.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else if (value.contains(" #")) {
                value = value.substring(0, value.indexOf(" #")).strip();
            }
            values.put(l.substring(0, eq).strip(), value);
        }
        return values;
    }
}
