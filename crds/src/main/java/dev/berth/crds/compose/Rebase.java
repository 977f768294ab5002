package dev.berth.crds.compose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A service taken from another file by {@code extends}: its relative paths (build context, env_file, bind mount
 * sources) are relative to that file's folder, so they are rewritten relative to the extending file's folder, as
 * compose-go resolves them against the extended file's folder.
 */
final class Rebase {
    private final Path from;
    private final Path to;

    Rebase(Path from, Path to) {
        this.from = from;
        this.to = to;
    }

    ComposeNode service(ComposeNode service) {
        if (from.equals(to) || !(service instanceof ComposeNode.Mapping m)) {
            return service;
        }
        var entries = new LinkedHashMap<String, ComposeNode.Entry>();
        m.entries().forEach((key, e) -> entries.put(key, new ComposeNode.Entry(key, e.line(), e.column(),
                switch (key) {
                    case "build" -> e.value() instanceof ComposeNode.Mapping b ? field(b, "context") : path(e.value());
                    case "env_file", "label_file" -> each(e.value(), item -> item instanceof ComposeNode.Mapping f
                            ? field(f, "path") : path(item));
                    case "volumes" -> each(e.value(), this::volume);
                    default -> e.value();
                }, e.file())));
        return new ComposeNode.Mapping(m.line(), m.column(), entries, m.file());
    }

    private ComposeNode volume(ComposeNode volume) {
        if (volume instanceof ComposeNode.Mapping m) {
            ComposeNode type = m.get("type");
            return type instanceof ComposeNode.Scalar t && t.text().equals("bind") ? field(m, "source") : volume;
        }
        if (volume instanceof ComposeNode.Scalar s && s.text().startsWith(".")) {
            int colon = s.text().indexOf(':');
            String source = colon < 0 ? s.text() : s.text().substring(0, colon);
            String rest = colon < 0 ? "" : s.text().substring(colon);
            return new ComposeNode.Scalar(s.line(), s.column(), s.type(), rebased(source) + rest, s.file());
        }
        return volume;
    }

    private ComposeNode each(ComposeNode node, java.util.function.UnaryOperator<ComposeNode> change) {
        if (node instanceof ComposeNode.Sequence s) {
            List<ComposeNode> items = new ArrayList<>();
            s.items().forEach(item -> items.add(change.apply(item)));
            return new ComposeNode.Sequence(s.line(), s.column(), items, s.file());
        }
        return change.apply(node);
    }

    private ComposeNode.Mapping field(ComposeNode.Mapping m, String key) {
        ComposeNode.Entry e = m.entries().get(key);
        if (e == null) {
            return m;
        }
        var entries = new LinkedHashMap<>(m.entries());
        entries.put(key, new ComposeNode.Entry(key, e.line(), e.column(), path(e.value()), e.file()));
        return new ComposeNode.Mapping(m.line(), m.column(), entries, m.file());
    }

    private ComposeNode path(ComposeNode node) {
        if (!(node instanceof ComposeNode.Scalar s) || s.isNull() || s.text().isEmpty() || s.text().contains("://")
                || s.text().startsWith("git@") || s.text().startsWith("~") || Path.of(s.text()).isAbsolute()) {
            return node;
        }
        return new ComposeNode.Scalar(s.line(), s.column(), s.type(), rebased(s.text()), s.file());
    }

    private String rebased(String relative) {
        String path = to.relativize(from.resolve(relative).normalize()).toString();
        if (path.isEmpty()) {
            return ".";
        }
        return path.startsWith("..") ? path : "./" + path;
    }
}
