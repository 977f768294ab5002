package dev.berth.crds.yaml;

/** A document that cannot be read on: a syntax error, a broken alias, an alias bomb. */
public final class YamlReadException extends RuntimeException {
    private final transient YamlProblem problem;

    YamlReadException(YamlProblem problem) {
        super(problem.line() + ":" + problem.column() + ": " + problem.message());
        this.problem = problem;
    }

    public YamlProblem problem() {
        return problem;
    }
}
