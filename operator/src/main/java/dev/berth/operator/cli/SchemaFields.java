package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Reading Berth's schemas (the keyword subset of crds/schemas) for explain: types, children, required fields. */
final class SchemaFields {
    private SchemaFields() {
    }

    /** kubectl's spelling: string, integer, boolean, Object, []Object, map[string]string. */
    static String type(JsonNode node) {
        String type = node.path("type").asText("object");
        return switch (type) {
            case "array" -> "[]" + type(node.path("items"));
            case "object" -> node.has("properties") || !node.path("additionalProperties").isObject() ? "Object"
                    : "map[string]" + type(node.get("additionalProperties"));
            default -> type;
        };
    }

    /** The fields below a node, stepping through arrays (their items) and maps (their values); null for none. */
    static JsonNode properties(JsonNode node) {
        JsonNode at = node;
        while (true) {
            if (at.has("properties")) {
                return at.get("properties");
            }
            if (at.has("items")) {
                at = at.get("items");
            } else if (at.path("additionalProperties").isObject()) {
                at = at.get("additionalProperties");
            } else {
                return null;
            }
        }
    }

    /** The required fields of the object a node holds (through arrays and maps, like {@link #properties}). */
    static List<String> required(JsonNode node) {
        JsonNode at = node;
        while (!at.has("properties") && (at.has("items") || at.path("additionalProperties").isObject())) {
            at = at.has("items") ? at.get("items") : at.get("additionalProperties");
        }
        List<String> names = new ArrayList<>();
        at.path("required").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** --recursive: every field below, one per line, indented by depth. */
    static void tree(JsonNode node, String indent, PrintWriter out) {
        JsonNode properties = properties(node);
        if (properties == null) {
            return;
        }
        List<String> required = required(node);
        properties.properties().forEach(e -> {
            out.println(indent + e.getKey() + "\t<" + type(e.getValue()) + ">" + (required.contains(e.getKey()) ? " -required-" : ""));
            tree(e.getValue(), indent + "  ", out);
        });
    }

    /** Words wrapped at {@code width} columns, each line indented. */
    static List<String> wrap(String text, String indent, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.strip().split("\\s+")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > indent.length()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
