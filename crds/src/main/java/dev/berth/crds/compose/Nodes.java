package dev.berth.crds.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading compose values that may be written several ways; a value of the wrong shape is an error at its place. */
final class Nodes {
    private final Diagnostics diagnostics;

    Nodes(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** The text of a scalar (numbers and booleans as written), or empty after reporting an error. */
    Optional<String> text(ComposeNode node, String path) {
        if (node instanceof ComposeNode.Scalar s && !s.isNull()) {
            return Optional.of(s.text());
        }
        diagnostics.error(node, path, "expected a single value, got " + node.shape());
        return Optional.empty();
    }

    Optional<Integer> integer(ComposeNode node, String path, int min, int max) {
        return text(node, path).flatMap(t -> {
            try {
                int value = Integer.parseInt(t.strip());
                if (value >= min && value <= max) {
                    return Optional.of(value);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            diagnostics.error(node, path, "expected a whole number from " + min + " to " + max + ", got \"" + t + "\"");
            return Optional.empty();
        });
    }

    Optional<Boolean> bool(ComposeNode node, String path) {
        return text(node, path).flatMap(t -> switch (t) {
            case "true", "True", "TRUE", "yes", "on" -> Optional.of(true);
            case "false", "False", "FALSE", "no", "off" -> Optional.of(false);
            default -> {
                diagnostics.error(node, path, "expected true or false, got \"" + t + "\"");
                yield Optional.<Boolean>empty();
            }
        });
    }

    /** A list of values, or a single value read as a list of one. */
    List<String> texts(ComposeNode node, String path) {
        List<String> out = new ArrayList<>();
        if (node instanceof ComposeNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                text(s.items().get(i), Paths.item(path, i)).ifPresent(out::add);
            }
        } else {
            text(node, path).ifPresent(out::add);
        }
        return out;
    }

    /**
     * {@code environment} and {@code labels}: a mapping, or a list of {@code KEY=VALUE}. A key without a value
     * (list {@code KEY}, mapping {@code KEY:}) maps to null: the caller decides what that means.
     */
    Map<String, Valued> keyValues(ComposeNode node, String path) {
        Map<String, Valued> out = new LinkedHashMap<>();
        if (node instanceof ComposeNode.Mapping m) {
            m.entries().forEach((key, e) -> {
                String value = e.value().isNull() ? null : text(e.value(), Paths.child(path, key)).orElse(null);
                // At the key: a label or variable is named by its key, in the map form as in the list form.
                out.put(key, new Valued(key, value, e.line(), e.column(), Paths.child(path, key), e.file()));
            });
        } else if (node instanceof ComposeNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                ComposeNode item = s.items().get(i);
                String itemPath = Paths.item(path, i);
                text(item, itemPath).ifPresent(t -> {
                    int eq = t.indexOf('=');
                    String key = eq < 0 ? t : t.substring(0, eq);
                    out.put(key, new Valued(key, eq < 0 ? null : t.substring(eq + 1), item.line(), item.column(), itemPath,
                            item.file()));
                });
            }
        } else {
            diagnostics.error(node, path, "expected a mapping or a list of KEY=VALUE, got " + node.shape());
        }
        return out;
    }

    /** One KEY=VALUE with where it was written ({@code file} null: the import's first file). */
    record Valued(String key, String value, int line, int column, String path, String file) {
        Valued(String key, String value, int line, int column, String path) {
            this(key, value, line, column, path, null);
        }
    }
}
