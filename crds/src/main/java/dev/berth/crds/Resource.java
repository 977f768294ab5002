package dev.berth.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One valid document of a manifest.
 *
 * @param yaml the exact text of the document as written (without its {@code ---} line), to store and show
 * @param line the 1-based line of the file where {@code yaml} starts
 */
public record Resource(String apiVersion, KindDef kind, ObjectMeta metadata, Object spec, String yaml, String file,
                       int line) {

    /** {@code stack/web}: the object's etcd key suffix and work-queue key. */
    public String key() {
        return kind.key(metadata.name());
    }

    public <S> S spec(Class<S> type) {
        return type.cast(spec);
    }

    /**
     * The object as compact JSON with sorted keys and defaults filled in, so two texts that mean the same object
     * (other order, quoting, comments, flow or block style) give the same string: "unchanged" versus "configured".
     */
    public String canonicalJson() {
        ObjectMapper mapper = CanonicalJson.MAPPER;
        ObjectNode root = mapper.createObjectNode();
        root.put("apiVersion", apiVersion);
        root.put("kind", kind.kind());
        root.set("metadata", mapper.valueToTree(metadata));
        root.set("spec", mapper.valueToTree(spec));
        return CanonicalJson.write(root);
    }

    /** Kept apart from the record so the mapper is built once; it is configured here and never changed. */
    private static final class CanonicalJson {
        static final ObjectMapper MAPPER = new ObjectMapper();

        static String write(JsonNode node) {
            try {
                return MAPPER.writeValueAsString(sorted(node));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot write a JSON tree", e);
            }
        }

        private static JsonNode sorted(JsonNode node) {
            if (node.isObject()) {
                ObjectNode out = MAPPER.createObjectNode();
                var names = new java.util.TreeSet<String>();
                node.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    JsonNode child = node.get(name);
                    if (!child.isNull()) { // absent and null mean the same, so neither may change the text
                        out.set(name, sorted(child));
                    }
                }
                return out;
            }
            if (node.isArray()) {
                var out = MAPPER.createArrayNode();
                node.forEach(item -> out.add(sorted(item)));
                return out;
            }
            return node;
        }
    }
}
