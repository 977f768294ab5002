package dev.berth.crds.yaml;

import com.fasterxml.jackson.core.JsonToken;

import java.util.List;
import java.util.Map;

/**
 * How one reader builds its own node type for {@link YamlTree}: the manifest reader and the compose reader keep
 * their own trees (their scalar types differ), while anchors, aliases and merge keys are resolved once, in YamlTree.
 * YamlTree calls these again with another place for an alias's use, and may pass one list or map to several calls.
 */
public interface YamlNodes<N> {
    /** @param type Jackson's token for the scalar (VALUE_STRING, VALUE_NUMBER_INT, VALUE_TRUE, VALUE_NULL, ...) */
    N scalar(JsonToken type, String text, int line, int column);

    N sequence(List<N> items, int line, int column);

    N mapping(Map<String, YamlEntry<N>> entries, int line, int column);
}
