package dev.berth.crds;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a {@link SpecCheck} may do: report a problem at a field path and ask where a field was written. */
public final class CheckContext {
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private final YamlNode root;
    private final Problems problems;

    CheckContext(YamlNode root, Problems problems) {
        this.root = root;
        this.problems = problems;
    }

    /**
     * Reports {@code message} at the field {@code path} (e.g. {@code spec.services[1].volumes[0].source}); when that
     * field was not written, at the nearest enclosing value that was.
     */
    public void error(String path, String message) {
        YamlNode node = locate(path);
        problems.at(node, path, message);
    }

    /** The line where {@code path} (or its nearest written parent) is, for messages like "first at line 12". */
    public int line(String path) {
        return locate(path).line();
    }

    /**
     * Reports {@code message} at the key {@code key} of the mapping at {@code mapPath} (a data key like
     * {@code db.password} holds dots, which a path cannot address). The path shown is {@code mapPath.key}, as the
     * schema's own messages name map entries.
     */
    public void errorAtKey(String mapPath, String key, String message) {
        YamlNode.Entry entry = entry(mapPath, key);
        if (entry == null) {
            error(mapPath, message);
        } else {
            problems.add(entry.line(), entry.column(), keyPath(mapPath, key), message);
        }
    }

    /** Like {@link #errorAtKey} but at the key's value (a value too large is pointed at, not its name). */
    public void errorAtValue(String mapPath, String key, String message) {
        YamlNode.Entry entry = entry(mapPath, key);
        if (entry == null) {
            error(mapPath, message);
        } else {
            problems.at(entry.value(), keyPath(mapPath, key), message);
        }
    }

    private static String keyPath(String mapPath, String key) {
        return Problems.child(mapPath, key.isEmpty() ? "\"\"" : key);
    }

    /** The line of the key {@code key} of the mapping at {@code mapPath}, or of the nearest written parent. */
    public int lineOfKey(String mapPath, String key) {
        YamlNode.Entry entry = entry(mapPath, key);
        return entry == null ? line(mapPath) : entry.line();
    }

    private YamlNode.Entry entry(String mapPath, String key) {
        return locate(mapPath) instanceof YamlNode.Mapping mapping ? mapping.entries().get(key) : null;
    }

    private YamlNode locate(String path) {
        return locate(root, path);
    }

    /** The node at {@code path} under {@code root}, or the nearest enclosing one that was written. */
    static YamlNode locate(YamlNode root, String path) {
        YamlNode node = root;
        Matcher m = SEGMENT.matcher(path);
        while (m.find()) {
            YamlNode next = null;
            if (m.group(1) != null && node instanceof YamlNode.Mapping mapping) {
                YamlNode.Entry entry = mapping.entries().get(m.group(1));
                next = entry == null ? null : entry.value();
            } else if (m.group(2) != null && node instanceof YamlNode.Sequence sequence) {
                int index = Integer.parseInt(m.group(2));
                next = index < sequence.items().size() ? sequence.items().get(index) : null;
            }
            if (next == null) {
                return node;
            }
            node = next;
        }
        return node;
    }
}
