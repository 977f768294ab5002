package dev.berth.crds.compose;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The warnings and errors of one import, each at a place in a compose file. Not shared between imports. A value
 * names its own file (a project merges several); a place given as line and column alone is in {@link #file()}.
 */
final class Diagnostics {
    private final String file;
    private final Shared shared;

    Diagnostics(String file) {
        this(file, new Shared());
    }

    private Diagnostics(String file, Shared shared) {
        this.file = file;
        this.shared = shared;
        if (!shared.files.contains(file)) {
            shared.files.add(file);
        }
    }

    /** The same import's problems, with places given by line and column alone in {@code other}. */
    Diagnostics inFile(String other) {
        return new Diagnostics(other, shared);
    }

    String file() {
        return file;
    }

    void warn(int line, int column, String path, String message) {
        warnIn(file, line, column, path, message);
    }

    void warn(ComposeNode at, String path, String message) {
        warnIn(fileOf(at.file()), at.line(), at.column(), path, message);
    }

    void warn(ComposeNode.Entry at, String path, String message) {
        warnIn(fileOf(at.file()), at.line(), at.column(), path, message);
    }

    void warn(Nodes.Valued at, String path, String message) {
        warnIn(fileOf(at.file()), at.line(), at.column(), path, message);
    }

    /** A warning about another file (a {@code .env} or {@code env_file}), which carries its own place. */
    void warn(ComposeProblem warning) {
        shared.warnings.add(warning);
    }

    void error(int line, int column, String path, String message) {
        errorIn(file, line, column, path, message);
    }

    void error(ComposeNode at, String path, String message) {
        errorIn(fileOf(at.file()), at.line(), at.column(), path, message);
    }

    void error(ComposeNode.Entry at, String path, String message) {
        errorIn(fileOf(at.file()), at.line(), at.column(), path, message);
    }

    void error(Nodes.Valued at, String path, String message) {
        errorIn(fileOf(at.file()), at.line(), at.column(), path, message);
    }

    /** A key Berth has no place for: reported where it is written, with why it is dropped. */
    void dropped(ComposeNode.Entry at, String path, String why) {
        warn(at, path, why + "; dropped");
    }

    void warnIn(String in, int line, int column, String path, String message) {
        shared.warnings.add(new ComposeProblem(in, line, column, path, message));
    }

    void errorIn(String in, int line, int column, String path, String message) {
        shared.errors.add(new ComposeProblem(in, line, column, path, message));
    }

    /** A stopping problem at a value, in the value's file. */
    ComposeException stop(ComposeNode at, String path, String message) {
        return new ComposeException(new ComposeProblem(fileOf(at.file()), at.line(), at.column(), path, message));
    }

    ComposeException stop(ComposeNode.Entry at, String path, String message) {
        return new ComposeException(new ComposeProblem(fileOf(at.file()), at.line(), at.column(), path, message));
    }

    List<ComposeProblem> warnings() {
        return sorted(shared.warnings);
    }

    List<ComposeProblem> errors() {
        return sorted(shared.errors);
    }

    private String fileOf(String nodeFile) {
        return nodeFile == null ? file : nodeFile;
    }

    private List<ComposeProblem> sorted(List<ComposeProblem> problems) {
        // Merged (<<, overrides, extends) settings are reported where they are written, so file order is not
        // discovery order: the project's files in the order they were given, then by place.
        Comparator<ComposeProblem> byFile = Comparator.comparingInt(p -> {
            int index = shared.files.indexOf(p.file());
            return index < 0 ? Integer.MAX_VALUE : index;
        });
        return problems.stream().sorted(byFile.thenComparing(ComposeProblem::file)
                .thenComparingInt(ComposeProblem::line).thenComparingInt(ComposeProblem::column)
                .thenComparing(ComposeProblem::path)).distinct().toList();
    }

    /** What every view of one import's diagnostics adds to. */
    private static final class Shared {
        private final List<ComposeProblem> warnings = new ArrayList<>();
        private final List<ComposeProblem> errors = new ArrayList<>();
        private final List<String> files = new ArrayList<>();
    }
}
