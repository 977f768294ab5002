package dev.berth.crds.compose;

import java.util.List;
import java.util.Map;

/**
 * A value of a compose file with the place it was written, so every warning can point at a line and column.
 * Scalars keep their text as written: Compose reads YAML 1.2, where {@code no} is a string, not a boolean.
 */
sealed interface ComposeNode permits ComposeNode.Mapping, ComposeNode.Sequence, ComposeNode.Scalar {
    int line();

    int column();

    /** A key with its own position: an unknown key is reported at the key, not at its value. */
    record Entry(String key, int line, int column, ComposeNode value) {
    }

    record Mapping(int line, int column, Map<String, Entry> entries) implements ComposeNode {
        /** The value of {@code key}, or null when it is missing or written as null. */
        ComposeNode get(String key) {
            Entry entry = entries.get(key);
            return entry == null || entry.value().isNull() ? null : entry.value();
        }
    }

    record Sequence(int line, int column, List<ComposeNode> items) implements ComposeNode {
    }

    enum ScalarType { STRING, NUMBER, BOOLEAN, NULL }

    record Scalar(int line, int column, ScalarType type, String text) implements ComposeNode {
    }

    default boolean isNull() {
        return this instanceof Scalar s && s.type() == ScalarType.NULL;
    }

    /** How a message names this value's shape. */
    default String shape() {
        if (this instanceof Mapping) {
            return "a mapping";
        }
        if (this instanceof Sequence) {
            return "a list";
        }
        return isNull() ? "null" : "\"" + ((Scalar) this).text() + "\"";
    }
}
