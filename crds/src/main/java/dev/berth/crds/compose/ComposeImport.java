package dev.berth.crds.compose;

import java.util.List;

/**
 * The outcome of an import: the Stack (and Route) documents as one YAML text, and every warning and error.
 * With errors there is no YAML.
 */
public record ComposeImport(String stack, String yaml, List<ComposeProblem> warnings, List<ComposeProblem> errors) {
    public ComposeImport {
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
