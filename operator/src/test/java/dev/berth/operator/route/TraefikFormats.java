package dev.berth.operator.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Traefik's own formats as test oracles, read from {@code ../shared/reference/traefik/} (never copied into the
 * repository): the key shapes of kv-keys.tsv and the v3 file-provider JSON Schema.
 */
public final class TraefikFormats {
    private TraefikFormats() {
    }

    /** The Traefik reference folder (see {@link dev.berth.operator.SharedReference} for where it is looked for). */
    public static Path referenceDir() {
        return dev.berth.operator.SharedReference.dir("traefik", "kv-keys.tsv");
    }

    /**
     * The key shapes of kv-keys.tsv as patterns below {@code root}: placeholder names (Router0, Service01,
     * Middleware02, name0 ...) stand for any name without / or @, numeric segments for any index.
     */
    public static List<Pattern> keyShapes(String root) {
        List<String> lines;
        try {
            lines = Files.readAllLines(referenceDir().resolve("kv-keys.tsv"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Pattern> shapes = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String key = line.split("\t", 2)[0];
            String[] segments = key.split("/");
            StringBuilder regex = new StringBuilder(Pattern.quote(root));
            for (int i = 1; i < segments.length; i++) {
                String s = segments[i];
                regex.append('/');
                if (s.matches("\\d+")) {
                    regex.append("\\d+");
                } else if (s.matches("([A-Z][A-Za-z]*|name)\\d+")) {
                    regex.append("[^/@]+");
                } else {
                    regex.append(Pattern.quote(s));
                }
            }
            shapes.add(Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE));
        }
        return shapes;
    }

    /** Keys (below root) that match no shape of kv-keys.tsv. */
    public static List<String> keysWithoutShape(String root, Iterable<String> keys) {
        List<Pattern> shapes = keyShapes(root);
        List<String> bad = new ArrayList<>();
        for (String key : keys) {
            if (shapes.stream().noneMatch(p -> p.matcher(key).matches())) {
                bad.add(key);
            }
        }
        return bad;
    }

    /**
     * The KV tree turned into Traefik's file-provider form, as Traefik's KV provider reads it: a node whose
     * children are all indices becomes a list in the STRING order of its indices; each value gets the type of its
     * field, taken from kv-keys.tsv's sample value of the matching shape ("42" integer, "true" boolean, else string).
     */
    public static Map<String, Object> toFileProvider(String root, Map<String, String> kv) {
        List<Pattern> shapes = keyShapes(root);
        List<String> samples = samples();
        Map<String, Object> tree = new TreeMap<>();
        kv.forEach((key, value) -> {
            String[] parts = key.substring(root.length() + 1).split("/");
            Map<String, Object> node = tree;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new TreeMap<String, Object>());
                node = next;
            }
            String sample = "foobar";
            for (int i = 0; i < shapes.size(); i++) {
                if (shapes.get(i).matcher(key).matches()) {
                    sample = samples.get(i);
                    break;
                }
            }
            node.put(parts[parts.length - 1], typed(value, sample));
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> converted = (Map<String, Object>) lists(tree);
        return converted;
    }

    private static List<String> samples() {
        try {
            return Files.readAllLines(referenceDir().resolve("kv-keys.tsv")).stream().filter(l -> !l.isBlank())
                    .map(l -> l.contains("\t") ? l.split("\t", 2)[1] : "").toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object typed(String value, String sample) {
        if (sample.equals("true") && (value.equals("true") || value.equals("false"))) {
            return Boolean.parseBoolean(value);
        }
        if (sample.matches("\\d+") && value.matches("-?\\d{1,18}")) {
            return Long.parseLong(value);
        }
        return value;
    }

    private static Object lists(Object node) {
        if (!(node instanceof Map<?, ?> raw)) {
            return node;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) raw;
        // TreeMap: string order of the keys, which is the order Traefik joins a list's indices in.
        if (!map.isEmpty() && map.keySet().stream().allMatch(k -> k.matches("\\d+"))) {
            List<Object> list = new ArrayList<>();
            map.values().forEach(v -> list.add(lists(v)));
            return list;
        }
        Map<String, Object> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(k, lists(v)));
        return out;
    }

    /** Schema errors of the file-provider document against traefik-v3-file-provider.json (empty: valid). */
    public static List<String> schemaErrors(Map<String, Object> document) {
        try {
            String schemaText = Files.readString(referenceDir().resolve("traefik-v3-file-provider.json"));
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(schemaText, InputFormat.JSON);
            String json = new ObjectMapper().writeValueAsString(document);
            return schema.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
