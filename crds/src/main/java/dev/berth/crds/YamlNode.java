package dev.berth.crds;

import java.util.List;
import java.util.Map;

/**
 * A YAML value with the place it was written. Jackson's JsonNode forgets locations, and every error a person sees
 * must point at a line and column, so the parser builds this tree first.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {
    int line();

    int column();

    /** How an error message names this value: {@code a mapping}, {@code a list}, {@code string "lots"}. */
    String describe();

    /**
     * How an error message names this value without its text: {@code a string}, {@code an integer}. For values under
     * a writeOnly schema node (a Secret's data), whose text must never reach stderr or a status.
     */
    String describeKind();

    record Entry(String key, int line, int column, YamlNode value) {
    }

    record Mapping(int line, int column, Map<String, Entry> entries) implements YamlNode {
        public String describe() {
            return "a mapping";
        }

        public String describeKind() {
            return describe();
        }

        /** The value of {@code key}, or null when it is missing or written as null ({@code key:} or {@code ~}). */
        YamlNode get(String key) {
            Entry entry = entries.get(key);
            return entry == null || entry.value().isNull() ? null : entry.value();
        }
    }

    record Sequence(int line, int column, List<YamlNode> items) implements YamlNode {
        public String describe() {
            return "a list";
        }

        public String describeKind() {
            return describe();
        }
    }

    /** TRUE and FALSE apart, because YAML 1.1 also spells them yes/no/on/off and the text alone is not enough. */
    enum ScalarType { STRING, INTEGER, NUMBER, TRUE, FALSE, NULL }

    /** A scalar keeps the text as written, so {@code 80} or {@code no} can still be read as a string. */
    record Scalar(int line, int column, ScalarType type, String text) implements YamlNode {
        public String describe() {
            return switch (type) {
                case STRING -> "string \"" + text + "\"";
                case INTEGER -> "integer " + text;
                case NUMBER -> "number " + text;
                case TRUE, FALSE -> "boolean " + text;
                case NULL -> "null";
            };
        }

        public String describeKind() {
            return switch (type) {
                case STRING -> "a string";
                case INTEGER -> "an integer";
                case NUMBER -> "a number";
                case TRUE, FALSE -> "a boolean";
                case NULL -> "null";
            };
        }
    }

    default boolean isNull() {
        return this instanceof Scalar s && s.type() == ScalarType.NULL;
    }
}
