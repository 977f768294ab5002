package dev.berth.operator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.berth.crds.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stored manifest with its {@code metadata:} block written again and everything else kept as it is, character for
 * character: reading the whole document into a generic YAML tree and writing it back could change what an unquoted
 * scalar means (a mode {@code 0400}, a {@code no}). Metadata holds only strings, so it is safe to write from a tree.
 */
final class StackMetadataEdit {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    private StackMetadataEdit() {
    }

    /** {@code yaml} with its top-level metadata block replaced by {@code meta}; empty when there is no such block. */
    static java.util.Optional<String> withMetadata(String yaml, ObjectMeta meta) {
        List<String> lines = yaml.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("metadata:")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return java.util.Optional.empty();
        }
        int end = start + 1;
        while (end < lines.size() && (lines.get(end).isBlank() || lines.get(end).startsWith(" ")
                || lines.get(end).startsWith("#") || lines.get(end).startsWith("\t"))) {
            end++;
        }
        // Trailing blank lines and comments belong to what follows, not to metadata.
        while (end > start + 1 && (lines.get(end - 1).isBlank() || lines.get(end - 1).startsWith("#"))) {
            end--;
        }
        StringBuilder out = new StringBuilder();
        lines.subList(0, start).forEach(l -> out.append(l).append('\n'));
        out.append(render(meta));
        lines.subList(end, lines.size()).forEach(l -> out.append(l).append('\n'));
        return java.util.Optional.of(out.toString());
    }

    private static String render(ObjectMeta meta) {
        ObjectNode root = YAML.createObjectNode();
        ObjectNode metadata = root.putObject("metadata");
        metadata.put("name", meta.name());
        put(metadata, "labels", meta.labels());
        put(metadata, "annotations", meta.annotations());
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write metadata", e);
        }
    }

    private static void put(ObjectNode metadata, String field, Map<String, String> values) {
        if (!values.isEmpty()) {
            ObjectNode node = metadata.putObject(field);
            new TreeMap<>(values).forEach(node::put);
        }
    }
}
