package dev.berth.crds.compose;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code !reset} and {@code !override} tags of one compose file, by the place of the tagged value. Compose
 * (loader/reset.go) reads them from the YAML tree; Jackson reports a tag as the value's type id, so one pass over
 * the tokens finds them at the same places the {@link ComposeYamlReader} gives the values.
 */
final class ComposeTags {
    enum Tag { RESET, OVERRIDE }

    private final Map<Long, Tag> tags;
    private final String file;

    private ComposeTags(String file, Map<Long, Tag> tags) {
        this.file = file;
        this.tags = tags;
    }

    static ComposeTags none() {
        return new ComposeTags(null, Map.of());
    }

    /** The tags of a file the reader already accepted (a broken file fails there, with its place). */
    static ComposeTags of(String file, String text) {
        Map<Long, Tag> found = new HashMap<>();
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME || token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                Object id = parser.getTypeId();
                Tag tag = "reset".equals(id) ? Tag.RESET : "override".equals(id) ? Tag.OVERRIDE : null;
                if (tag != null) {
                    JsonLocation at = parser.currentTokenLocation();
                    found.put(key(at.getLineNr(), at.getColumnNr()), tag);
                }
            }
        } catch (IOException e) {
            // The reader read this text already; a failure here only means no tags are known.
            return none();
        }
        return new ComposeTags(file, found);
    }

    boolean isEmpty() {
        return tags.isEmpty();
    }

    /** The tag of a value of this file, or null. */
    Tag of(ComposeNode node) {
        if (tags.isEmpty() || !java.util.Objects.equals(node.file(), file)) {
            return null;
        }
        return tags.get(key(node.line(), node.column()));
    }

    private static long key(int line, int column) {
        return ((long) line << 32) | (column & 0xffffffffL);
    }
}
