package dev.berth.crds.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads one YAML document into a reader's own node tree with YAML's anchors ({@code &name}), aliases
 * ({@code *name}) and {@code <<} merge keys resolved, for both of Berth's readers (manifests and compose files).
 * It reads Jackson's tokens, so scalars are typed as Jackson types them and syntax errors keep Jackson's places.
 *
 * <p>As YAML says: an alias names the latest anchor of that name before it (an anchor may be defined again); an
 * alias before any anchor of its name, or inside the value it names, is an error at the alias. Anchors and aliases
 * may stand on keys too. An alias shares the value it names instead of copying it, and counts its whole size
 * against the file's {@link ExpansionBudget}, so an alias bomb is refused at the alias before it grows.
 */
public final class YamlTree<N> {
    private final YamlNodes<N> nodes;
    private final AnchoredYamlParser.Factory factory = new AnchoredYamlParser.Factory();

    private final boolean refuseTags;

    public YamlTree(YamlNodes<N> nodes) {
        this(nodes, false);
    }

    /**
     * @param refuseTags true where a tag would be silently ignored (manifests: {@code !!binary} read as its base64
     *                   text); false where the caller reads tags itself ({@link YamlTags}: Compose's !reset)
     */
    public YamlTree(YamlNodes<N> nodes, boolean refuseTags) {
        this.nodes = nodes;
        this.refuseTags = refuseTags;
    }

    /**
     * @param lineOffset added to every line, so lines count across a file of several documents
     * @param budget     the file's budget, shared by all its documents
     * @param problems   problems after which reading goes on: a duplicate key (its first value is kept)
     * @return the root, or empty when the document has no content
     * @throws YamlReadException for a syntax error, a broken alias or merge key, or an alias bomb
     */
    // Jackson deprecates its SnakeYAML exception wrapper, but only the wrapper knows where the problem is: the
    // exception's own location points at the last token read, which for a tab is the line before.
    @SuppressWarnings("deprecation")
    public Optional<N> read(String text, int lineOffset, ExpansionBudget budget, Consumer<YamlProblem> problems) {
        try (AnchoredYamlParser parser = factory.open(text)) {
            try {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return Optional.empty();
                }
                return Optional.of(new Reading(parser, lineOffset, budget, problems).value(token, "").node());
            } catch (StreamConstraintsException e) {
                // Jackson's own limits (nesting depth, a number's or a name's length) carry no location and name
                // Jackson's API: the limit was passed where the parser stands, and the user needs only the limit.
                JsonLocation at = parser.currentLocation();
                throw syntax(Math.max(1, at.getLineNr()) + lineOffset, Math.max(1, at.getColumnNr()),
                        e.getOriginalMessage().replaceAll(",? from `[^`]*`", ""));
            }
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            int line = mark != null ? mark.getLine() + 1 : e.getLocation().getLineNr();
            int column = mark != null ? mark.getColumn() + 1 : e.getLocation().getColumnNr();
            throw syntax(line + lineOffset, column, e.getProblem());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw syntax((at == null ? 1 : at.getLineNr()) + lineOffset, at == null ? 1 : at.getColumnNr(),
                    e.getOriginalMessage());
        } catch (IOException e) {
            // Reading from a String does no I/O; this is Jackson's checked signature only.
            throw syntax(1 + lineOffset, 1, e.getMessage());
        }
    }

    private static YamlReadException syntax(int line, int column, String reason) {
        return new YamlReadException(new YamlProblem(line, column, "", "YAML syntax error: " + oneLine(reason)));
    }

    /** SnakeYAML's reasons can span lines and spell a tab as "\t(TAB)"; users get one short line. */
    private static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "unreadable YAML";
        }
        String first = message.strip().lines().findFirst().orElse("").strip();
        return first.replace("\\t(TAB)", "TAB").replace("\t(TAB)", "TAB");
    }

    /**
     * A value read, with what an alias or a {@code <<} merge needs of it again: a mapping's entries, a list's items,
     * a scalar's type and text. Only one of entries, items and text is set.
     */
    private record Value<N>(N node, Map<String, YamlEntry<N>> entries, List<Value<N>> items, JsonToken type,
                            String text) {
    }

    /**
     * A defined anchor: its value and the value's size written out (what an alias to it costs). {@code value} is
     * null while the anchored collection is still being read: an alias to it then would be inside it.
     */
    private record Anchor<N>(Value<N> value, long size) {
    }

    /** One document being read: its anchors (YAML anchors do not reach into the next document). */
    private final class Reading {
        private final AnchoredYamlParser parser;
        private final int lineOffset;
        private final ExpansionBudget budget;
        private final Consumer<YamlProblem> problems;
        private final Map<String, Anchor<N>> anchors = new HashMap<>();

        Reading(AnchoredYamlParser parser, int lineOffset, ExpansionBudget budget, Consumer<YamlProblem> problems) {
            this.parser = parser;
            this.lineOffset = lineOffset;
            this.budget = budget;
            this.problems = problems;
        }

        Value<N> value(JsonToken token, String path) throws IOException {
            int line = line();
            int column = column();
            if (parser.isAlias()) {
                return movedTo(resolve(parser.getText(), line, column, path), line, column);
            }
            refuseTag(line, column, path);
            String anchor = parser.anchor();
            long before = budget.used();
            if (anchor != null) {
                anchors.put(anchor, new Anchor<>(null, 0));
            }
            Value<N> value = switch (token) {
                case START_OBJECT -> mapping(line, column, path);
                case START_ARRAY -> sequence(line, column, path);
                // Binary values and embedded objects only come from YAML tags such as !!binary.
                default -> scalar(token, parser.getText() == null ? "" : parser.getText(), line, column, path);
            };
            if (anchor != null) {
                anchors.put(anchor, new Anchor<>(value, budget.used() - before));
            }
            return value;
        }

        private void refuseTag(int line, int column, String path) throws IOException {
            String tag = refuseTags ? parser.getTypeId() : null;
            if (tag != null) {
                throw error(line, column, path, "tag " + shown(tag) + " is not supported: Berth reads plain YAML"
                        + " values (remove the tag; quote the value for a string)");
            }
        }

        /** A tag as it is written: {@code !!binary} for YAML's own, {@code !name} for a local one. */
        private static String shown(String tag) {
            String yaml = "tag:yaml.org,2002:";
            return tag.startsWith(yaml) ? "!!" + tag.substring(yaml.length()) : tag.startsWith("!") ? tag : "!<" + tag + ">";
        }

        private Value<N> scalar(JsonToken type, String text, int line, int column, String path) {
            spend(Math.max(1, text.length()), line, column, path, null);
            return new Value<>(nodes.scalar(type, text, line, column), null, null, type, text);
        }

        /**
         * The value where an alias uses it. Only the value itself moves, so "expected a list" points at the alias;
         * what a collection contains keeps the place it was written, where the text to fix is.
         */
        private Value<N> movedTo(Value<N> value, int line, int column) {
            N node;
            if (value.entries() != null) {
                node = nodes.mapping(value.entries(), line, column);
            } else if (value.items() != null) {
                node = nodes.sequence(value.items().stream().map(Value::node).toList(), line, column);
            } else {
                node = nodes.scalar(value.type(), value.text(), line, column);
            }
            return new Value<>(node, value.entries(), value.items(), value.type(), value.text());
        }

        private Value<N> resolve(String name, int line, int column, String path) {
            Anchor<N> anchor = anchors.get(name);
            if (anchor == null) {
                throw error(line, column, path, "unknown alias *" + name + ": no anchor &" + name
                        + " before it in this document");
            }
            if (anchor.value() == null) {
                throw error(line, column, path, "alias *" + name + " is inside the value anchored &" + name
                        + "; a value cannot contain itself");
            }
            spend(anchor.size(), line, column, path, name);
            return anchor.value();
        }

        private Value<N> mapping(int line, int column, String path) throws IOException {
            spend(1, line, column, path, null);
            var explicit = new LinkedHashMap<String, YamlEntry<N>>();
            var merged = new LinkedHashMap<String, YamlEntry<N>>();
            JsonToken next;
            while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                int keyLine = line();
                int keyColumn = column();
                boolean merge = parser.isPlainKey() && parser.currentName().equals("<<");
                String key = key(keyLine, keyColumn, path);
                String keyPath = YamlPath.child(path, key);
                Value<N> child = value(parser.nextToken(), keyPath);
                if (merge) {
                    merge(child, merged, keyLine, keyColumn, keyPath);
                    continue;
                }
                YamlEntry<N> first = explicit.get(key);
                if (first != null) {
                    // YAML parsers differ on which value wins; refuse instead of guessing.
                    problems.accept(new YamlProblem(keyLine, keyColumn, keyPath,
                            "duplicate key \"" + key + "\" (first at line " + first.line() + ")"));
                } else {
                    explicit.put(key, new YamlEntry<>(key, keyLine, keyColumn, child.node()));
                }
            }
            expect(next, JsonToken.END_OBJECT);
            // Keys written in the mapping itself win over merged ones, wherever the << stands.
            var entries = new LinkedHashMap<String, YamlEntry<N>>(merged);
            explicit.forEach((key, entry) -> {
                entries.remove(key);
                entries.put(key, entry);
            });
            return new Value<>(nodes.mapping(entries, line, column), entries, null, null, null);
        }

        /** The key at FIELD_NAME: an alias names a scalar's text; an anchor on a key names the key's text. */
        private String key(int line, int column, String path) throws IOException {
            String key = parser.currentName();
            if (parser.isAlias()) {
                Value<N> named = resolve(key, line, column, path);
                if (named.text() == null) {
                    throw error(line, column, path, "alias *" + key + " is used as a key but names "
                            + (named.entries() != null ? "a mapping" : "a list") + "; a key is a string");
                }
                return named.text();
            }
            refuseTag(line, column, path);
            String anchor = parser.anchor();
            long before = budget.used();
            Value<N> value = scalar(JsonToken.VALUE_STRING, key, line, column, path);
            if (anchor != null) {
                anchors.put(anchor, new Anchor<>(value, budget.used() - before));
            }
            return key;
        }

        /**
         * YAML's merge key: the entries of a mapping, or of each mapping of a list; a mapping earlier in the list
         * wins over a later one, and the mapping's own keys win over all (see {@link #mapping}).
         */
        private void merge(Value<N> source, Map<String, YamlEntry<N>> into, int line, int column, String path) {
            List<Value<N>> mappings = source.items() != null ? source.items() : List.of(source);
            for (Value<N> mapping : mappings) {
                if (mapping.entries() == null) {
                    // The shape only, never the text: the value may be a Secret's.
                    String shape = source.items() == null ? "a scalar"
                            : "a list holding " + (mapping.items() != null ? "a list" : "a scalar");
                    throw error(line, column, path, "<< merges a mapping or a list of mappings, not " + shape);
                }
                mapping.entries().forEach(into::putIfAbsent);
            }
        }

        private Value<N> sequence(int line, int column, String path) throws IOException {
            spend(1, line, column, path, null);
            List<Value<N>> items = new ArrayList<>();
            JsonToken next;
            while ((next = parser.nextToken()) != JsonToken.END_ARRAY && next != null) {
                items.add(value(next, YamlPath.item(path, items.size())));
            }
            expect(next, JsonToken.END_ARRAY);
            return new Value<>(nodes.sequence(items.stream().map(Value::node).toList(), line, column), null, items,
                    null, null);
        }

        private void spend(long size, int line, int column, String path, String alias) {
            if (!budget.spend(size)) {
                throw error(line, column, path, (alias == null ? "" : "alias *" + alias + ": ")
                        + "with its aliases expanded the file would exceed " + budget.limit()
                        + " nodes and characters (twice the largest file Berth reads); refused as an alias bomb");
            }
        }

        private YamlReadException error(int line, int column, String path, String message) {
            return new YamlReadException(new YamlProblem(line, column, path, message));
        }

        private int line() {
            return parser.currentTokenLocation().getLineNr() + lineOffset;
        }

        private int column() {
            return parser.currentTokenLocation().getColumnNr();
        }
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalStateException("YAML token stream ended inside a collection: " + actual);
        }
    }
}
