package dev.berth.crds.compose;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The warnings and errors of one import, each at a place in the compose file. Not shared between imports. */
final class Diagnostics {
    private final String file;
    private final List<ComposeProblem> warnings = new ArrayList<>();
    private final List<ComposeProblem> errors = new ArrayList<>();

    Diagnostics(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    void warn(int line, int column, String path, String message) {
        warnings.add(new ComposeProblem(file, line, column, path, message));
    }

    void warn(ComposeNode at, String path, String message) {
        warn(at.line(), at.column(), path, message);
    }

    void warn(ComposeNode.Entry at, String path, String message) {
        warn(at.line(), at.column(), path, message);
    }

    /** A warning about another file (a {@code .env} or {@code env_file}), which carries its own place. */
    void warn(ComposeProblem warning) {
        warnings.add(warning);
    }

    void error(int line, int column, String path, String message) {
        errors.add(new ComposeProblem(file, line, column, path, message));
    }

    void error(ComposeNode at, String path, String message) {
        error(at.line(), at.column(), path, message);
    }

    void error(ComposeNode.Entry at, String path, String message) {
        error(at.line(), at.column(), path, message);
    }

    /** A key Berth has no place for: reported where it is written, with why it is dropped. */
    void dropped(ComposeNode.Entry at, String path, String why) {
        warn(at, path, why + "; dropped");
    }

    List<ComposeProblem> warnings() {
        return sorted(warnings);
    }

    List<ComposeProblem> errors() {
        return sorted(errors);
    }

    private static List<ComposeProblem> sorted(List<ComposeProblem> problems) {
        // Merged (<<) settings are reported where they are written, so file order is not discovery order.
        return problems.stream().sorted(Comparator.comparingInt(ComposeProblem::line)
                .thenComparingInt(ComposeProblem::column).thenComparing(ComposeProblem::path)).distinct().toList();
    }
}
