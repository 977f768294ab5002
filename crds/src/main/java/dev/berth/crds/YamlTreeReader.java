package dev.berth.crds;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Optional;

/** Turns the text of one YAML document into a {@link YamlNode} tree, reporting syntax errors and duplicate keys. */
final class YamlTreeReader {
    private final YAMLFactory factory = new YAMLFactory();

    /**
     * @param lineOffset added to every line, so lines count across the whole file
     * @return the root, or empty when the document is empty or has a syntax error (which is then in problems)
     */
    // Jackson deprecates its SnakeYAML exception wrapper, but only the wrapper knows where the problem is: the
    // exception's own location points at the last token read, which for a tab is the line before.
    @SuppressWarnings("deprecation")
    Optional<YamlNode> read(String text, int lineOffset, String documentPath, Problems problems) {
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return Optional.empty();
            }
            YamlNode root = value(parser, token, lineOffset, "", problems);
            return root.isNull() ? Optional.empty() : Optional.of(root);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            int line = mark != null ? mark.getLine() + 1 : e.getLocation().getLineNr();
            int column = mark != null ? mark.getColumn() + 1 : e.getLocation().getColumnNr();
            problems.add(line + lineOffset, column, documentPath, "YAML syntax error: " + oneLine(e.getProblem()));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            problems.add((at == null ? 1 : at.getLineNr()) + lineOffset, at == null ? 1 : at.getColumnNr(),
                    documentPath, "YAML syntax error: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            // Reading from a String does no I/O; this is Jackson's checked signature only.
            problems.add(1 + lineOffset, 1, documentPath, "YAML syntax error: " + oneLine(e.getMessage()));
        }
        return Optional.empty();
    }

    private YamlNode value(JsonParser parser, JsonToken token, int lineOffset, String path, Problems problems)
            throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr() + lineOffset;
        int column = at.getColumnNr();
        switch (token) {
            case START_OBJECT -> {
                var entries = new LinkedHashMap<String, YamlNode.Entry>();
                JsonToken next;
                while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    JsonLocation keyAt = parser.currentTokenLocation();
                    int keyLine = keyAt.getLineNr() + lineOffset;
                    String keyPath = Problems.child(path, key);
                    YamlNode child = value(parser, parser.nextToken(), lineOffset, keyPath, problems);
                    YamlNode.Entry first = entries.get(key);
                    if (first != null) {
                        // YAML parsers differ on which value wins; refuse instead of guessing.
                        problems.add(keyLine, keyAt.getColumnNr(), keyPath,
                                "duplicate key \"" + key + "\" (first at line " + first.line() + ")");
                    } else {
                        entries.put(key, new YamlNode.Entry(key, keyLine, keyAt.getColumnNr(), child));
                    }
                }
                expect(next, JsonToken.END_OBJECT);
                return new YamlNode.Mapping(line, column, entries);
            }
            case START_ARRAY -> {
                var items = new ArrayList<YamlNode>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY && next != null) {
                    items.add(value(parser, next, lineOffset, Problems.item(path, items.size()), problems));
                }
                expect(next, JsonToken.END_ARRAY);
                return new YamlNode.Sequence(line, column, items);
            }
            case VALUE_STRING -> {
                return scalar(line, column, YamlNode.ScalarType.STRING, parser.getText());
            }
            case VALUE_NUMBER_INT -> {
                return scalar(line, column, YamlNode.ScalarType.INTEGER, parser.getText());
            }
            case VALUE_NUMBER_FLOAT -> {
                return scalar(line, column, YamlNode.ScalarType.NUMBER, parser.getText());
            }
            case VALUE_TRUE -> {
                return scalar(line, column, YamlNode.ScalarType.TRUE, parser.getText());
            }
            case VALUE_FALSE -> {
                return scalar(line, column, YamlNode.ScalarType.FALSE, parser.getText());
            }
            case VALUE_NULL -> {
                return scalar(line, column, YamlNode.ScalarType.NULL, parser.getText());
            }
            default -> {
                // Binary values and embedded objects only come from YAML tags such as !!binary.
                return scalar(line, column, YamlNode.ScalarType.STRING, parser.getText());
            }
        }
    }

    private static YamlNode scalar(int line, int column, YamlNode.ScalarType type, String text) {
        return new YamlNode.Scalar(line, column, type, text == null ? "" : text);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalStateException("YAML token stream ended inside a collection: " + actual);
        }
    }

    /** SnakeYAML's reasons can span lines and spell a tab as "\t(TAB)"; users get one short line. */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "unreadable YAML";
        }
        String first = message.strip().lines().findFirst().orElse("").strip();
        return first.replace("\\t(TAB)", "TAB").replace("\t(TAB)", "TAB");
    }
}
