package dev.berth.crds.yaml;

/** A mapping key with its own place (an error about a key points at the key) and its value. */
public record YamlEntry<N>(String key, int line, int column, N value) {
}
