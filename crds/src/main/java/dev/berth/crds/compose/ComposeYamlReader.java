package dev.berth.crds.compose;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a compose file into a {@link ComposeNode} tree with locations. Unlike Berth's manifest reader it resolves
 * anchors, aliases and {@code <<} merge keys, because real compose files share settings through {@code x-}
 * blocks; Jackson hands aliases over as plain strings, so they are resolved here.
 */
final class ComposeYamlReader {
    private final YAMLFactory factory = new YAMLFactory();

    /** @throws ComposeException with line and column for broken YAML, duplicate keys and unknown aliases */
    // Only the deprecated SnakeYAML wrapper knows the exact place of a syntax error (see YamlTreeReader).
    @SuppressWarnings("deprecation")
    ComposeNode read(String file, String text) {
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new ComposeException(new ComposeProblem(file, 1, 1, "", "the file is empty"));
            }
            ComposeNode root = new Reading(file, (YAMLParser) parser).value(token);
            if (root.isNull()) {
                throw new ComposeException(new ComposeProblem(file, 1, 1, "", "the file is empty"));
            }
            return root;
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            int line = mark != null ? mark.getLine() + 1 : e.getLocation().getLineNr();
            int column = mark != null ? mark.getColumn() + 1 : e.getLocation().getColumnNr();
            throw syntax(file, line, column, e.getProblem());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw syntax(file, at == null ? 1 : at.getLineNr(), at == null ? 1 : at.getColumnNr(), e.getOriginalMessage());
        } catch (IOException e) {
            // Reading from a String does no I/O; this is Jackson's checked signature only.
            throw syntax(file, 1, 1, e.getMessage());
        }
    }

    private static ComposeException syntax(String file, int line, int column, String reason) {
        String first = reason == null || reason.isBlank() ? "unreadable YAML"
                : reason.strip().lines().findFirst().orElse("").strip().replace("\\t(TAB)", "TAB").replace("\t(TAB)", "TAB");
        return new ComposeException(new ComposeProblem(file, line, column, "", "YAML syntax error: " + first));
    }

    /** The state of one read: the anchors seen so far. */
    private static final class Reading {
        private final String file;
        private final YAMLParser parser;
        private final Map<String, ComposeNode> anchors = new HashMap<>();

        Reading(String file, YAMLParser parser) {
            this.file = file;
            this.parser = parser;
        }

        ComposeNode value(JsonToken token) throws IOException {
            JsonLocation at = parser.currentTokenLocation();
            int line = at.getLineNr();
            int column = at.getColumnNr();
            String anchor = parser.getObjectId();
            ComposeNode node = switch (token) {
                case START_OBJECT -> mapping(line, column);
                case START_ARRAY -> sequence(line, column);
                case VALUE_STRING -> parser.isCurrentAlias() ? alias(parser.getText(), line, column)
                        : new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.STRING, parser.getText());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                        new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.NUMBER, parser.getText());
                case VALUE_TRUE, VALUE_FALSE ->
                        new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.BOOLEAN, parser.getText());
                case VALUE_NULL -> new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.NULL, "");
                default -> new ComposeNode.Scalar(line, column, ComposeNode.ScalarType.STRING,
                        parser.getText() == null ? "" : parser.getText());
            };
            if (anchor != null && !parser.isCurrentAlias()) {
                anchors.put(anchor, node);
            }
            return node;
        }

        private ComposeNode alias(String name, int line, int column) {
            ComposeNode target = anchors.get(name);
            if (target == null) {
                throw new ComposeException(new ComposeProblem(file, line, column, "", "unknown alias *" + name));
            }
            return target;
        }

        private ComposeNode mapping(int line, int column) throws IOException {
            var explicit = new LinkedHashMap<String, ComposeNode.Entry>();
            var merged = new LinkedHashMap<String, ComposeNode.Entry>();
            JsonToken next;
            while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonLocation keyAt = parser.currentTokenLocation();
                ComposeNode child = value(parser.nextToken());
                if (key.equals("<<")) {
                    merge(child, merged);
                    continue;
                }
                ComposeNode.Entry first = explicit.get(key);
                if (first != null) {
                    // YAML parsers differ on which value wins; Compose refuses, and so does Berth.
                    throw new ComposeException(new ComposeProblem(file, keyAt.getLineNr(), keyAt.getColumnNr(), "",
                            "duplicate key \"" + key + "\" (first at line " + first.line() + ")"));
                }
                explicit.put(key, new ComposeNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), child));
            }
            // Keys written in the mapping itself win over merged ones, wherever the << stands.
            var entries = new LinkedHashMap<String, ComposeNode.Entry>(merged);
            explicit.forEach((key, entry) -> {
                entries.remove(key);
                entries.put(key, entry);
            });
            return new ComposeNode.Mapping(line, column, entries);
        }

        private void merge(ComposeNode source, Map<String, ComposeNode.Entry> into) {
            if (source instanceof ComposeNode.Mapping m) {
                m.entries().forEach(into::putIfAbsent);
            } else if (source instanceof ComposeNode.Sequence s) {
                s.items().forEach(item -> merge(item, into));
            } else {
                throw new ComposeException(new ComposeProblem(file, source.line(), source.column(), "",
                        "<< merges mappings only, not " + source.shape()));
            }
        }

        private ComposeNode sequence(int line, int column) throws IOException {
            List<ComposeNode> items = new ArrayList<>();
            JsonToken next;
            while ((next = parser.nextToken()) != JsonToken.END_ARRAY && next != null) {
                items.add(value(next));
            }
            return new ComposeNode.Sequence(line, column, items);
        }
    }
}
