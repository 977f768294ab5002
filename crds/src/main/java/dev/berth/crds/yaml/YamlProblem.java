package dev.berth.crds.yaml;

/**
 * A problem of a YAML text at a line and column.
 *
 * @param path where in the document, as {@code spec.services[0].image}; empty for the document as a whole
 */
public record YamlProblem(int line, int column, String path, String message) {
}
