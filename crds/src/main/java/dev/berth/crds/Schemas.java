package dev.berth.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The schema of every kind, loaded once from the classpath and checked to use only keywords Berth understands. Public
 * for {@code berth explain}, which documents fields from the same schemas validation uses.
 */
public final class Schemas {
    static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties", "items",
            "enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "description", "default",
            "format", "x-unique-key", "x-hint", "writeOnly");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean");

    private final Map<String, JsonNode> byKind = new HashMap<>();

    public Schemas(Kinds kinds) {
        var mapper = new YAMLMapper();
        for (KindDef def : kinds.all()) {
            JsonNode schema = load(mapper, def.schemaResource());
            checkKeywords(schema, def.schemaResource() + ":");
            byKind.put(def.kind(), schema);
        }
    }

    public JsonNode of(KindDef kind) {
        return byKind.get(kind.kind());
    }

    private static JsonNode load(YAMLMapper mapper, String resource) {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the classpath");
            }
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }

    /** A misspelt keyword would silently validate nothing, so a schema with one fails at start-up (and in tests). */
    static void checkKeywords(JsonNode schema, String where) {
        if (!schema.isObject()) {
            throw new IllegalStateException(where + " a schema must be a mapping");
        }
        schema.fieldNames().forEachRemaining(name -> {
            if (!KEYWORDS.contains(name)) {
                throw new IllegalStateException(where + " unsupported schema keyword \"" + name + "\"");
            }
        });
        JsonNode type = schema.get("type");
        if (type != null && !TYPES.contains(type.asText())) {
            throw new IllegalStateException(where + " unsupported type \"" + type.asText() + "\"");
        }
        JsonNode format = schema.get("format");
        if (format != null && !Formats.isKnown(format.asText())) {
            throw new IllegalStateException(where + " unsupported format \"" + format.asText() + "\"");
        }
        JsonNode properties = schema.get("properties");
        if (properties != null) {
            properties.properties().forEach(e -> checkKeywords(e.getValue(), where + " " + e.getKey()));
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            checkKeywords(additional, where + " additionalProperties");
        }
        JsonNode items = schema.get("items");
        if (items != null) {
            checkKeywords(items, where + " items");
        }
    }
}
