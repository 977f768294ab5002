package dev.berth.operator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manifests the CLI writes itself: a Secret with only {@code encryptedData} (made by create, by apply from
 * {@code stringData}, by reencrypt) and a Config. Fields in the order people write them, values as YAML literal
 * blocks where that reads best, so {@code get -o yaml} and {@code --dry-run -o yaml} look hand-written.
 */
final class DataManifests {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One manifest as a tree, written as YAML or JSON. */
    record Manifest(ObjectNode tree) {
        String yaml() {
            try {
                return YAML.writeValueAsString(tree);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write YAML", e);
            }
        }

        String json() {
            try {
                return JSON.writeValueAsString(tree) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON", e);
            }
        }
    }

    private DataManifests() {
    }

    /** @param registry the registry host of a Secret of type Registry, else null */
    static Manifest secret(String name, Map<String, String> labels, Map<String, String> annotations, String type,
                           String registry, Map<String, String> encryptedData) {
        ObjectNode root = head("Secret", name, labels, annotations);
        ObjectNode spec = root.putObject("spec");
        spec.put("type", type);
        if (registry != null) {
            spec.put("registry", registry);
        }
        ObjectNode data = spec.putObject("encryptedData");
        new TreeMap<>(encryptedData).forEach(data::put);
        return new Manifest(root);
    }

    static Manifest config(String name, Map<String, String> labels, Map<String, String> annotations,
                           Map<String, String> content) {
        ObjectNode root = head("Config", name, labels, annotations);
        ObjectNode data = root.putObject("spec").putObject("data");
        new TreeMap<>(content).forEach(data::put);
        return new Manifest(root);
    }

    private static ObjectNode head(String kind, String name, Map<String, String> labels, Map<String, String> annotations) {
        ObjectNode root = JSON.createObjectNode();
        root.put("apiVersion", "berth.dev/v1");
        root.put("kind", kind);
        ObjectNode metadata = root.putObject("metadata");
        metadata.put("name", name);
        if (!labels.isEmpty()) {
            ObjectNode l = metadata.putObject("labels");
            new TreeMap<>(labels).forEach(l::put);
        }
        if (!annotations.isEmpty()) {
            ObjectNode a = metadata.putObject("annotations");
            new TreeMap<>(annotations).forEach(a::put);
        }
        return root;
    }
}
