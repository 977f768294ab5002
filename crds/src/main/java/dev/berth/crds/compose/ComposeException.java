package dev.berth.crds.compose;

/** A problem that stops the import (broken YAML, a missing env_file, {@code ${VAR:?message}}). */
public final class ComposeException extends RuntimeException {
    private final transient ComposeProblem problem;

    public ComposeException(ComposeProblem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    public ComposeProblem problem() {
        return problem;
    }
}
