package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.status.ObjectStatus;
import java.util.List;

/**
 * Objects as the documents {@code get -o json|yaml|jsonpath} print: apiVersion, kind, metadata and spec (defaults
 * filled in) and {@code status} as Berth stores it, one entry per host that reported; several objects are wrapped in a
 * kubectl-style {@code {"apiVersion":"v1","kind":"List","items":[...]}}.
 */
final class ObjectDocuments {
    private final ObjectMapper mapper = new ObjectMapper();

    ObjectNode document(ObjectView view) {
        ObjectNode node = view.object().resource()
                .map(r -> (ObjectNode) read(r.canonicalJson()))
                .orElseGet(() -> invalid(view));
        ObjectNode status = node.putObject("status");
        for (ObjectStatus s : view.statuses()) {
            // Through the same mapper as the stored JSON, so the fields are exactly what Berth stores.
            status.set(s.host(), mapper.valueToTree(s));
        }
        return node;
    }

    /** A stored text that does not parse: its key and why, so a listing still shows it. */
    private ObjectNode invalid(ObjectView view) {
        ObjectNode node = mapper.createObjectNode();
        node.put("apiVersion", "berth.dev/v1");
        node.put("kind", view.object().kind().kind());
        node.putObject("metadata").put("name", view.object().name());
        ArrayNode errors = node.putArray("invalid");
        view.object().errors().forEach(e -> errors.add(e.toString()));
        return node;
    }

    ObjectNode list(List<? extends JsonNode> items) {
        ObjectNode list = mapper.createObjectNode();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.putArray("items").addAll(items);
        return list;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("canonical JSON does not parse", e);
        }
    }
}
