package dev.berth.crds.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The local tags ({@code !reset}, {@code !override}) of a YAML text by the line and column of the tagged value.
 * It reads with the parser {@link YamlTree} reads with, so a text the tree accepted (aliases as keys included)
 * gives its tags at the places the tree gives its values.
 */
public final class YamlTags {
    private final AnchoredYamlParser.Factory factory = new AnchoredYamlParser.Factory();

    /**
     * @return tag name (without {@code !}) by {@link #place(int, int)}
     * @throws YamlReadException when the text cannot be read; a tag pass that stops half-way would lose tags
     */
    public Map<Long, String> read(String text) {
        Map<Long, String> found = new HashMap<>();
        try (AnchoredYamlParser parser = factory.open(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME || token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY
                        || parser.isAlias()) {
                    continue;
                }
                Object id = parser.getTypeId();
                if (id instanceof String tag) {
                    JsonLocation at = parser.currentTokenLocation();
                    found.put(place(at.getLineNr(), at.getColumnNr()), tag);
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new YamlReadException(new YamlProblem(at == null ? 1 : at.getLineNr(),
                    at == null ? 1 : at.getColumnNr(), "", "cannot read the tags: " + e.getOriginalMessage()));
        } catch (IOException e) {
            // Reading from a String does no I/O; this is Jackson's checked signature only.
            throw new YamlReadException(new YamlProblem(1, 1, "", "cannot read the tags: " + e.getMessage()));
        }
        return found;
    }

    /** The key of a place in {@link #read}'s answer. */
    public static long place(int line, int column) {
        return ((long) line << 32) | (column & 0xffffffffL);
    }
}
