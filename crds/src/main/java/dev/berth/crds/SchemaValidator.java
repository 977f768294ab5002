package dev.berth.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a {@link YamlNode} tree against a schema and, on the way, builds the JSON tree to bind: scalars become the
 * type the schema asks for (so {@code PORT: 80} is the string "80") and schema defaults are filled in.
 */
final class SchemaValidator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Problems problems;
    private final Map<String, Pattern> patterns = new HashMap<>();

    SchemaValidator(Problems problems) {
        this.problems = problems;
    }

    /** @return the converted value; meaningful only when no problem was added */
    JsonNode validate(YamlNode node, JsonNode schema, String path) {
        return validate(node, schema, path, false);
    }

    /**
     * @param hidden whether this node is, or is under, a writeOnly schema node (JSON Schema's "sensitive": a
     *               Secret's values). Messages about such nodes name the kind of value and never its text, because
     *               they reach stderr and a GitSource's status in etcd.
     */
    private JsonNode validate(YamlNode node, JsonNode schema, String path, boolean hidden) {
        boolean h = hidden || schema.path("writeOnly").asBoolean(false);
        String type = schema.path("type").asText("");
        return switch (type) {
            case "object" -> object(node, schema, path, h);
            case "array" -> array(node, schema, path, h);
            case "string" -> string(node, schema, path, h);
            case "integer" -> integer(node, schema, path, h);
            case "number" -> number(node, schema, path, h);
            case "boolean" -> bool(node, path, h);
            default -> untyped(node);
        };
    }

    private static String got(YamlNode node, boolean hidden) {
        return hidden ? node.describeKind() : node.describe();
    }

    private JsonNode object(YamlNode node, JsonNode schema, String path, boolean hidden) {
        ObjectNode out = JSON.objectNode();
        if (!(node instanceof YamlNode.Mapping mapping)) {
            problems.at(node, path, "expected a mapping, got " + got(node, hidden));
            return out;
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        for (YamlNode.Entry entry : mapping.entries().values()) {
            String childPath = Problems.child(path, entry.key());
            JsonNode childSchema = properties.get(entry.key());
            if (childSchema == null && additional != null && additional.isObject()) {
                childSchema = additional;
            }
            if (childSchema == null) {
                problems.add(entry.line(), entry.column(), childPath, unknownField(entry.key(), properties));
            } else if (!entry.value().isNull()) { // "key:" with no value means the same as leaving it out
                out.set(entry.key(), validate(entry.value(), childSchema, childPath, hidden));
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (mapping.get(required.asText()) == null) {
                problems.at(mapping, Problems.child(path, required.asText()),
                        "missing required field \"" + required.asText() + "\"");
            }
        }
        properties.properties().forEach(p -> {
            if (!out.has(p.getKey()) && p.getValue().has("default")) {
                out.set(p.getKey(), p.getValue().get("default").deepCopy());
            }
        });
        return out;
    }

    private static String unknownField(String key, JsonNode properties) {
        var allowed = new ArrayList<String>();
        properties.fieldNames().forEachRemaining(allowed::add);
        return Suggestions.closest(key, allowed)
                .map(s -> "unknown field \"" + key + "\" (did you mean \"" + s + "\"?)")
                .orElseGet(() -> allowed.isEmpty()
                        ? "unknown field \"" + key + "\" (no fields are allowed here)"
                        : "unknown field \"" + key + "\" (allowed: " + String.join(", ", allowed) + ")");
    }

    private JsonNode array(YamlNode node, JsonNode schema, String path, boolean hidden) {
        ArrayNode out = JSON.arrayNode();
        if (!(node instanceof YamlNode.Sequence sequence)) {
            problems.at(node, path, "expected a list, got " + got(node, hidden));
            return out;
        }
        int minItems = schema.path("minItems").asInt(0);
        if (sequence.items().size() < minItems) {
            problems.at(node, path, "must have at least " + minItems + (minItems == 1 ? " item" : " items"));
        }
        JsonNode items = schema.path("items");
        for (int i = 0; i < sequence.items().size(); i++) {
            YamlNode item = sequence.items().get(i);
            String itemPath = Problems.item(path, i);
            if (item.isNull()) {
                problems.at(item, itemPath, "expected a value, got null");
            } else {
                out.add(validate(item, items, itemPath, hidden));
            }
        }
        if (schema.has("x-unique-key") && !hidden) {
            uniqueKey(sequence, schema.get("x-unique-key").asText(), path);
        }
        return out;
    }

    /** Items are told apart by this field (services by name), so two with one value would overwrite each other. */
    private void uniqueKey(YamlNode.Sequence sequence, String field, String path) {
        String lastSegment = path.substring(path.lastIndexOf('.') + 1);
        String noun = lastSegment.endsWith("s") ? lastSegment.substring(0, lastSegment.length() - 1) : lastSegment;
        var firstLine = new HashMap<String, Integer>();
        for (int i = 0; i < sequence.items().size(); i++) {
            if (sequence.items().get(i) instanceof YamlNode.Mapping item
                    && item.get(field) instanceof YamlNode.Scalar value) {
                Integer first = firstLine.putIfAbsent(value.text(), value.line());
                if (first != null) {
                    problems.at(value, Problems.child(Problems.item(path, i), field),
                            "duplicate " + noun + " " + field + " \"" + value.text() + "\" (first at line " + first + ")");
                }
            }
        }
    }

    private JsonNode string(YamlNode node, JsonNode schema, String path, boolean hidden) {
        if (!(node instanceof YamlNode.Scalar scalar)) {
            problems.at(node, path, "expected a string, got " + got(node, hidden));
            return JSON.textNode("");
        }
        // Any scalar reads as its text: env values like PORT: 80 and labels like version: 2 are strings.
        String value = scalar.text();
        if (!enumOk(scalar, schema, path, value, hidden)) {
            return JSON.textNode(value);
        }
        if (schema.has("minLength") && value.length() < schema.get("minLength").asInt()) {
            int n = schema.get("minLength").asInt();
            problems.at(node, path, n == 1 ? "must not be empty"
                    : "must be at least " + n + " characters long (got " + value.length() + ")");
        }
        if (schema.has("maxLength") && value.length() > schema.get("maxLength").asInt()) {
            problems.at(node, path, "must be at most " + schema.get("maxLength").asInt()
                    + " characters long (got " + value.length() + ")");
        }
        if (schema.has("pattern")) {
            String regex = schema.get("pattern").asText();
            Pattern pattern = patterns.computeIfAbsent(regex, Pattern::compile);
            if (!pattern.matcher(value).find()) {
                // writeOnly values are never echoed: a password in the wrong field.
                problems.at(node, path, (hidden ? "the value" : "\"" + value + "\"") + " does not match the pattern " + regex);
            }
        }
        if (schema.has("format")) {
            // Format messages quote the value; under writeOnly only say which format it misses.
            Formats.check(schema.get("format").asText(), value).ifPresent(m -> problems.at(node, path,
                    hidden ? "the value is not a valid " + schema.get("format").asText() : m));
        }
        return JSON.textNode(value);
    }

    private JsonNode integer(YamlNode node, JsonNode schema, String path, boolean hidden) {
        if (!(node instanceof YamlNode.Scalar scalar) || scalar.type() != YamlNode.ScalarType.INTEGER) {
            problems.at(node, path, "expected an integer, got " + got(node, hidden));
            return JSON.numberNode(0);
        }
        BigInteger value;
        try {
            value = parseInteger(scalar.text());
        } catch (NumberFormatException e) {
            problems.at(node, path, "expected an integer, got " + got(node, hidden));
            return JSON.numberNode(0);
        }
        enumOk(scalar, schema, path, value.toString(), hidden);
        range(scalar, schema, path, new BigDecimal(value), hidden);
        return value.bitLength() < 32 ? JSON.numberNode(value.intValue()) : JSON.numberNode(value);
    }

    /** YAML writes integers also as 0x1F, 0o17 and 1_000; Jackson hands over the text as written. */
    private static BigInteger parseInteger(String text) {
        String s = text.replace("_", "");
        boolean negative = s.startsWith("-");
        if (s.startsWith("-") || s.startsWith("+")) {
            s = s.substring(1);
        }
        BigInteger value;
        if (s.startsWith("0x")) {
            value = new BigInteger(s.substring(2), 16);
        } else if (s.startsWith("0o")) {
            value = new BigInteger(s.substring(2), 8);
        } else {
            value = new BigInteger(s);
        }
        return negative ? value.negate() : value;
    }

    private JsonNode number(YamlNode node, JsonNode schema, String path, boolean hidden) {
        if (!(node instanceof YamlNode.Scalar scalar)
                || (scalar.type() != YamlNode.ScalarType.INTEGER && scalar.type() != YamlNode.ScalarType.NUMBER)) {
            problems.at(node, path, "expected a number, got " + got(node, hidden));
            return JSON.numberNode(0.0);
        }
        BigDecimal value;
        try {
            value = scalar.type() == YamlNode.ScalarType.INTEGER
                    ? new BigDecimal(parseInteger(scalar.text())) : new BigDecimal(scalar.text().replace("_", ""));
        } catch (NumberFormatException e) {
            problems.at(node, path, "expected a finite number, got " + got(node, hidden)); // .inf and .nan
            return JSON.numberNode(0.0);
        }
        range(scalar, schema, path, value, hidden);
        return JSON.numberNode(value.doubleValue());
    }

    private void range(YamlNode node, JsonNode schema, String path, BigDecimal value, boolean hidden) {
        String got = hidden ? "" : " (got " + value + ")";
        if (schema.has("minimum") && value.compareTo(schema.get("minimum").decimalValue()) < 0) {
            problems.at(node, path, "must be at least " + schema.get("minimum").asText() + got + hint(schema));
        }
        if (schema.has("maximum") && value.compareTo(schema.get("maximum").decimalValue()) > 0) {
            problems.at(node, path, "must be at most " + schema.get("maximum").asText() + got + hint(schema));
        }
    }

    /** A schema's x-hint says what the person probably meant, e.g. how to write "no limit" instead of 0. */
    private static String hint(JsonNode schema) {
        return schema.has("x-hint") ? "; " + schema.get("x-hint").asText() : "";
    }

    private boolean enumOk(YamlNode node, JsonNode schema, String path, String value, boolean hidden) {
        JsonNode allowed = schema.get("enum");
        if (allowed == null) {
            return true;
        }
        List<String> values = new ArrayList<>();
        allowed.forEach(v -> values.add(v.asText()));
        if (values.contains(value)) {
            return true;
        }
        problems.at(node, path, "must be one of: " + String.join(", ", values)
                + (hidden ? "" : " (got \"" + value + "\")") + hint(schema));
        return false;
    }

    private JsonNode bool(YamlNode node, String path, boolean hidden) {
        if (node instanceof YamlNode.Scalar scalar
                && (scalar.type() == YamlNode.ScalarType.TRUE || scalar.type() == YamlNode.ScalarType.FALSE)) {
            return JSON.booleanNode(scalar.type() == YamlNode.ScalarType.TRUE);
        }
        problems.at(node, path, "expected a boolean (true or false), got " + got(node, hidden));
        return JSON.booleanNode(false);
    }

    /** A schema without a type accepts anything; such values are kept as YAML typed them. */
    private JsonNode untyped(YamlNode node) {
        if (node instanceof YamlNode.Mapping mapping) {
            ObjectNode out = JSON.objectNode();
            mapping.entries().values().forEach(e -> out.set(e.key(), untyped(e.value())));
            return out;
        }
        if (node instanceof YamlNode.Sequence sequence) {
            ArrayNode out = JSON.arrayNode();
            sequence.items().forEach(i -> out.add(untyped(i)));
            return out;
        }
        YamlNode.Scalar scalar = (YamlNode.Scalar) node;
        return switch (scalar.type()) {
            case NULL -> JSON.nullNode();
            case TRUE -> JSON.booleanNode(true);
            case FALSE -> JSON.booleanNode(false);
            default -> JSON.textNode(scalar.text());
        };
    }
}
