package dev.berth.crds.yaml;

import com.fasterxml.jackson.core.JsonToken;

import java.util.List;
import java.util.Map;

/**
 * How one reader builds its own node type for {@link YamlTree}: the manifest reader and the compose reader keep
 * their own trees (their scalar types differ), while anchors, aliases and merge keys are resolved once, in YamlTree.
 */
public interface YamlNodes<N> {
    /** @param type Jackson's token for the scalar (VALUE_STRING, VALUE_NUMBER_INT, VALUE_TRUE, VALUE_NULL, ...) */
    N scalar(JsonToken type, String text, int line, int column);

    N sequence(List<N> items, int line, int column);

    N mapping(Map<String, YamlEntry<N>> entries, int line, int column);

    /**
     * The same value where an alias uses it. Only the value itself moves, so "expected a list" points at the alias;
     * what a collection contains keeps the place it was written, where the text to fix is.
     */
    N movedTo(N node, int line, int column);

    /** The entries of a mapping, or null for any other value: what a {@code <<} merge key takes. */
    Map<String, YamlEntry<N>> entries(N node);

    /** The items of a list, or null for any other value: {@code <<: [*a, *b]} merges several mappings. */
    List<N> items(N node);
}
