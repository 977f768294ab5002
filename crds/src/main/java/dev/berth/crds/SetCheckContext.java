package dev.berth.crds;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link SetCheck} may do: report a problem at a field of one object, and say where another object's field
 * is. A {@link Resource} keeps the text it was read from, so fields are found in it again and errors carry the
 * file, line and column of the field, like the errors of a single manifest.
 */
public final class SetCheckContext {
    private final List<ValidationError> errors = new ArrayList<>();
    private final Map<Resource, Optional<YamlNode>> trees = new IdentityHashMap<>();

    SetCheckContext() {
    }

    /** Reports {@code message} at the field {@code path} of {@code at} (or its nearest written parent). */
    public void error(Resource at, String path, String message) {
        Problems problems = new Problems(at.file());
        Optional<YamlNode> root = tree(at);
        if (root.isPresent()) {
            new CheckContext(root.get(), problems).error(path, message);
        } else {
            problems.add(at.line(), 1, path, message);
        }
        errors.addAll(problems.sorted());
    }

    /** {@code file:line} of the field {@code path} of {@code object}, for messages like "(a.yaml:7)". */
    public String where(Resource object, String path) {
        int line = tree(object).map(root -> new CheckContext(root, new Problems(object.file())).line(path))
                .orElse(object.line());
        return object.file() + ":" + line;
    }

    List<ValidationError> errors() {
        return List.copyOf(errors);
    }

    /** The object's own text read again; lines are offset so they count in the file it came from. */
    private Optional<YamlNode> tree(Resource object) {
        return trees.computeIfAbsent(object, r -> new YamlTreeReader()
                .read(r.yaml(), r.line() - 1, "", new Problems(r.file())));
    }
}
