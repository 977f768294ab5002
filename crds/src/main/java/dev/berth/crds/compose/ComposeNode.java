package dev.berth.crds.compose;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value of a compose file with the place it was written, so every warning can point at a file, line and column.
 * Scalars keep their text as written: Compose reads YAML 1.2, where {@code no} is a string, not a boolean.
 * A project of several files (overrides, {@code extends}) mixes values of several files after merging, so each value
 * carries its own file; null means the import's first file (values made before files were known).
 */
sealed interface ComposeNode permits ComposeNode.Mapping, ComposeNode.Sequence, ComposeNode.Scalar {
    int line();

    int column();

    /** The file the value was written in, as messages name it; null for the import's first file. */
    String file();

    /** A key with its own position: an unknown key is reported at the key, not at its value. */
    record Entry(String key, int line, int column, ComposeNode value, String file) {
        Entry(String key, int line, int column, ComposeNode value) {
            this(key, line, column, value, value == null ? null : value.file());
        }
    }

    record Mapping(int line, int column, Map<String, Entry> entries, String file) implements ComposeNode {
        Mapping(int line, int column, Map<String, Entry> entries) {
            this(line, column, entries, null);
        }

        /** The value of {@code key}, or null when it is missing or written as null. */
        ComposeNode get(String key) {
            Entry entry = entries.get(key);
            return entry == null || entry.value().isNull() ? null : entry.value();
        }
    }

    record Sequence(int line, int column, List<ComposeNode> items, String file) implements ComposeNode {
        Sequence(int line, int column, List<ComposeNode> items) {
            this(line, column, items, null);
        }
    }

    enum ScalarType { STRING, NUMBER, BOOLEAN, NULL }

    record Scalar(int line, int column, ScalarType type, String text, String file) implements ComposeNode {
        Scalar(int line, int column, ScalarType type, String text) {
            this(line, column, type, text, null);
        }
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

    /**
     * The same tree with every value marked as written in {@code file}. Values an alias shares stay shared (one copy
     * each), so a tree the reader accepted does not grow here.
     */
    static ComposeNode inFile(ComposeNode node, String file) {
        return new FileMarker(file).mark(node);
    }

    /** One marking walk: what it already copied, by identity. */
    final class FileMarker {
        private final String file;
        private final Map<ComposeNode, ComposeNode> done = new IdentityHashMap<>();

        private FileMarker(String file) {
            this.file = file;
        }

        private ComposeNode mark(ComposeNode node) {
            ComposeNode copy = done.get(node);
            if (copy != null) {
                return copy;
            }
            if (node instanceof Mapping m) {
                var entries = new LinkedHashMap<String, Entry>();
                m.entries().forEach((key, e) -> entries.put(key,
                        new Entry(key, e.line(), e.column(), mark(e.value()), file)));
                copy = new Mapping(m.line(), m.column(), entries, file);
            } else if (node instanceof Sequence s) {
                List<ComposeNode> items = new ArrayList<>();
                s.items().forEach(item -> items.add(mark(item)));
                copy = new Sequence(s.line(), s.column(), items, file);
            } else {
                Scalar s = (Scalar) node;
                copy = new Scalar(s.line(), s.column(), s.type(), s.text(), file);
            }
            done.put(node, copy);
            return copy;
        }
    }
}
