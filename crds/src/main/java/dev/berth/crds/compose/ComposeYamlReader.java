package dev.berth.crds.compose;

import com.fasterxml.jackson.core.JsonToken;
import dev.berth.crds.DocumentSplitter;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.yaml.ExpansionBudget;
import dev.berth.crds.yaml.YamlEntry;
import dev.berth.crds.yaml.YamlNodes;
import dev.berth.crds.yaml.YamlProblem;
import dev.berth.crds.yaml.YamlReadException;
import dev.berth.crds.yaml.YamlTree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a compose file into a {@link ComposeNode} tree with locations. Anchors, aliases and {@code <<} merge keys
 * are resolved as YAML defines them ({@link YamlTree}, shared with the manifest reader), because real compose files
 * share settings through {@code x-} blocks.
 */
final class ComposeYamlReader {
    private final YamlTree<ComposeNode> tree = new YamlTree<>(new Nodes());

    /**
     * The documents of a file, in order, without the empty ones: compose-go merges a file's documents ({@code ---})
     * in order, and reads a file without content as nothing.
     *
     * @throws ComposeException with line and column for broken YAML, duplicate keys, broken aliases, alias bombs
     */
    List<ComposeNode> documents(String file, String text) {
        // A compose file is read under berth apply's size limit (ImportCommand), so it gets the same alias budget,
        // one for all its documents.
        ExpansionBudget budget = ExpansionBudget.forFileLimit(ManifestParser.maxBytes());
        List<ComposeNode> documents = new ArrayList<>();
        for (DocumentSplitter.Document document : DocumentSplitter.split(text)) {
            try {
                tree.read(document.parseText(), document.firstLine() - 1, budget, problem -> {
                    throw problem(file, problem);
                }).filter(root -> !root.isNull()).ifPresent(documents::add);
            } catch (YamlReadException e) {
                throw problem(file, e.problem());
            }
        }
        return documents;
    }

    private static ComposeException problem(String file, YamlProblem problem) {
        return new ComposeException(new ComposeProblem(file, problem.line(), problem.column(), problem.path(),
                problem.message()));
    }

    /** Builds {@link ComposeNode}s; scalars keep their text, typed only as far as Compose needs. */
    private static final class Nodes implements YamlNodes<ComposeNode> {
        @Override
        public ComposeNode scalar(JsonToken type, String text, int line, int column) {
            return switch (type) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                        new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.NUMBER, text);
                case VALUE_TRUE, VALUE_FALSE ->
                        new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.BOOLEAN, text);
                case VALUE_NULL -> new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.NULL, "");
                default -> new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.STRING, text);
            };
        }

        @Override
        public ComposeNode sequence(List<ComposeNode> items, int line, int column) {
            return new ComposeNode.Sequence(line, column, items);
        }

        @Override
        public ComposeNode mapping(Map<String, YamlEntry<ComposeNode>> entries, int line, int column) {
            var converted = new LinkedHashMap<String, ComposeNode.Entry>();
            entries.forEach((key, e) -> converted.put(key, new ComposeNode.Entry(key, e.line(), e.column(),
                    e.value())));
            return new ComposeNode.Mapping(line, column, converted);
        }
    }
}
