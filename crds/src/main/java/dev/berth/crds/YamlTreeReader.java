package dev.berth.crds;

import com.fasterxml.jackson.core.JsonToken;
import dev.berth.crds.yaml.ExpansionBudget;
import dev.berth.crds.yaml.YamlEntry;
import dev.berth.crds.yaml.YamlNodes;
import dev.berth.crds.yaml.YamlProblem;
import dev.berth.crds.yaml.YamlReadException;
import dev.berth.crds.yaml.YamlTree;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the text of one YAML document into a {@link YamlNode} tree, reporting syntax errors and duplicate keys.
 * Anchors, aliases and {@code <<} merge keys are resolved as YAML defines them ({@link YamlTree}): an error in a
 * value reached through an alias points at the alias when it is about the value as a whole, and at the anchored
 * text when it is inside a mapping or list the alias names.
 */
final class YamlTreeReader {
    private final YamlTree<YamlNode> tree = new YamlTree<>(new Nodes(), true);

    /**
     * @param lineOffset added to every line, so lines count across the whole file
     * @param budget     how far aliases may expand the file; one for all documents of a file
     * @return the root, or empty when the document is empty or cannot be read (the error is then in problems)
     */
    Optional<YamlNode> read(String text, int lineOffset, String documentPath, ExpansionBudget budget,
                            Problems problems) {
        try {
            return tree.read(text, lineOffset, budget, problem -> add(problem, documentPath, problems))
                    .filter(root -> !root.isNull());
        } catch (YamlReadException e) {
            add(e.problem(), documentPath, problems);
            return Optional.empty();
        }
    }

    /** One document on its own (a stored resource's text), with the budget of a whole file. */
    Optional<YamlNode> read(String text, int lineOffset, String documentPath, Problems problems) {
        return read(text, lineOffset, documentPath, ExpansionBudget.forFileLimit(ManifestText.MAX_BYTES), problems);
    }

    private static void add(YamlProblem problem, String documentPath, Problems problems) {
        problems.add(problem.line(), problem.column(), problem.path().isEmpty() ? documentPath : problem.path(),
                problem.message());
    }

    /** Builds {@link YamlNode}s; YAML 1.1's yes/no and the number forms are Jackson's typing. */
    private static final class Nodes implements YamlNodes<YamlNode> {
        @Override
        public YamlNode scalar(JsonToken type, String text, int line, int column) {
            YamlNode.ScalarType scalarType = switch (type) {
                case VALUE_NUMBER_INT -> YamlNode.ScalarType.INTEGER;
                case VALUE_NUMBER_FLOAT -> YamlNode.ScalarType.NUMBER;
                case VALUE_TRUE -> YamlNode.ScalarType.TRUE;
                case VALUE_FALSE -> YamlNode.ScalarType.FALSE;
                case VALUE_NULL -> YamlNode.ScalarType.NULL;
                default -> YamlNode.ScalarType.STRING;
            };
            return new YamlNode.Scalar(line, column, scalarType, text);
        }

        @Override
        public YamlNode sequence(List<YamlNode> items, int line, int column) {
            return new YamlNode.Sequence(line, column, items);
        }

        @Override
        public YamlNode mapping(Map<String, YamlEntry<YamlNode>> entries, int line, int column) {
            var converted = new LinkedHashMap<String, YamlNode.Entry>();
            entries.forEach((key, e) -> converted.put(key, new YamlNode.Entry(key, e.line(), e.column(), e.value())));
            return new YamlNode.Mapping(line, column, converted);
        }
    }
}
