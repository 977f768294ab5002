package dev.berth.crds;

import dev.berth.crds.yaml.YamlPath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the errors of one file; every stage adds to it and nothing stops at the first error. */
final class Problems {
    private final String file;
    private final List<ValidationError> errors = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, int column, String path, String message) {
        errors.add(new ValidationError(file, line, column, path, message));
    }

    void at(YamlNode node, String path, String message) {
        add(node.line(), node.column(), path, message);
    }

    int count() {
        return errors.size();
    }

    String file() {
        return file;
    }

    /** In file order, as a person reads them; the sort is stable so errors at one place keep their order. */
    List<ValidationError> sorted() {
        var copy = new ArrayList<>(errors);
        copy.sort(Comparator.comparingInt(ValidationError::line).thenComparingInt(ValidationError::column));
        return copy;
    }

    static String child(String path, String key) {
        return YamlPath.child(path, key);
    }

    static String item(String path, int index) {
        return YamlPath.item(path, index);
    }
}
