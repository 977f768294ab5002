package dev.berth.operator.cli;

import java.io.StringReader;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A stored stack manifest with one service's {@code replicas} set and every other character kept: the value is
 * replaced where it is written (or a {@code replicas:} line added to the service), found through the YAML node
 * marks, never by writing the document again from a tree (that could change what an unquoted scalar means, and
 * loses comments). The caller checks that the result parses into the same stack with only that number changed.
 */
final class StackReplicasEdit {
    private StackReplicasEdit() {
    }

    /** Empty when the text has no such service, or is written in a shape this edit does not handle. */
    static Optional<String> withReplicas(String yaml, String service, int replicas) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        Optional<MappingNode> found = child(root, "spec").flatMap(spec -> child(spec, "services"))
                .filter(SequenceNode.class::isInstance).map(SequenceNode.class::cast)
                .flatMap(services -> services.getValue().stream().filter(MappingNode.class::isInstance)
                        .map(MappingNode.class::cast)
                        .filter(s -> child(s, "name").filter(ScalarNode.class::isInstance)
                                .map(n -> ((ScalarNode) n).getValue().equals(service)).orElse(false))
                        .findFirst());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        MappingNode node = found.get();
        String number = Integer.toString(replicas);
        Optional<Node> current = child(node, "replicas");
        if (current.isPresent()) {
            if (!(current.get() instanceof ScalarNode)) {
                return Optional.empty();
            }
            return Optional.of(splice(yaml, at(yaml, current.get().getStartMark()),
                    at(yaml, current.get().getEndMark()), number));
        }
        if (node.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
            int open = at(yaml, node.getStartMark());
            return Optional.of(splice(yaml, open + 1, open + 1, "replicas: " + number + ", "));
        }
        // A block mapping: a new line after the first entry written on one line, at that entry's indentation.
        for (NodeTuple tuple : node.getValue()) {
            Node key = tuple.getKeyNode();
            Node value = tuple.getValueNode();
            if (value instanceof ScalarNode && key.getStartMark().getLine() == value.getEndMark().getLine()) {
                int lineEnd = yaml.indexOf('\n', at(yaml, value.getEndMark()));
                int at = lineEnd < 0 ? yaml.length() : lineEnd;
                String line = "\n" + " ".repeat(key.getStartMark().getColumn()) + "replicas: " + number;
                return Optional.of(splice(yaml, at, at, line));
            }
        }
        return Optional.empty();
    }

    /**
     * The String index of a mark: SnakeYAML counts code points, a Java String UTF-16 units, which differ after a
     * character outside the BMP (an emoji in a comment or label).
     */
    private static int at(String yaml, Mark mark) {
        return yaml.offsetByCodePoints(0, mark.getIndex());
    }

    private static String splice(String text, int from, int to, String with) {
        return text.substring(0, from) + with + text.substring(to);
    }

    private static Optional<Node> child(Node node, String key) {
        if (!(node instanceof MappingNode mapping)) {
            return Optional.empty();
        }
        return mapping.getValue().stream()
                .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))
                .map(NodeTuple::getValueNode).findFirst();
    }
}
