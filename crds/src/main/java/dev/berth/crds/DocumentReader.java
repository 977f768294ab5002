package dev.berth.crds;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Turns the node tree of one document into a {@link Resource}: kind, schema, binding, cross-field checks. */
final class DocumentReader {
    private final Kinds kinds;
    private final Schemas schemas;
    private final List<SpecCheck<?>> checks;
    // Unknown properties are already errors from the schema; failing here too catches a schema and record that drift.
    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    DocumentReader(Kinds kinds, Schemas schemas, List<SpecCheck<?>> checks) {
        this.kinds = kinds;
        this.schemas = schemas;
        this.checks = List.copyOf(checks);
    }

    Optional<Resource> read(YamlNode root, DocumentSplitter.Document document, Problems problems) {
        String documentPath = "(document " + document.number() + ")";
        if (!(root instanceof YamlNode.Mapping mapping)) {
            String got = root instanceof YamlNode.Sequence ? "a sequence" : "a scalar";
            problems.at(root, documentPath, "expected a mapping with apiVersion, kind, metadata and spec, got " + got);
            return Optional.empty();
        }
        int before = problems.count();
        Optional<KindDef> kind = kind(mapping, problems);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        JsonNode tree = new SchemaValidator(problems).validate(mapping, schemas.of(kind.get()), "");
        if (problems.count() > before) {
            return Optional.empty();
        }
        ObjectMeta metadata;
        Object spec;
        try {
            metadata = mapper.treeToValue(tree.get("metadata"), ObjectMeta.class);
            spec = mapper.treeToValue(tree.get("spec"), kind.get().specType());
        } catch (JsonProcessingException e) {
            // Only a schema that allows what the record cannot hold gets here: a bug in Berth, not in the file.
            // Jackson's own message quotes the value it could not bind (a Secret's password, say), so only the
            // field's path is named.
            problems.at(mapping, documentPath, "cannot read the " + kind.get().kind() + " (schema and "
                    + kind.get().specType().getSimpleName() + " disagree at " + bindingPath(e) + ")");
            return Optional.empty();
        }
        SpecChecks.run(checks, spec, new CheckContext(mapping, problems));
        if (problems.count() > before) {
            return Optional.empty();
        }
        return Optional.of(new Resource(tree.get("apiVersion").asText(), kind.get(), metadata, spec,
                document.yaml(), problems.file(), document.yamlLine()));
    }

    private static String bindingPath(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        return "an unknown field";
    }

    private Optional<KindDef> kind(YamlNode.Mapping mapping, Problems problems) {
        String known = kinds.all().stream().map(KindDef::kind).collect(Collectors.joining(", "));
        YamlNode kindNode = mapping.get("kind");
        if (kindNode == null) {
            problems.at(mapping, "kind", "missing required field \"kind\" (expected one of: " + known + ")");
            return Optional.empty();
        }
        if (!(kindNode instanceof YamlNode.Scalar scalar)) {
            problems.at(kindNode, "kind", "expected a string, got " + kindNode.describe());
            return Optional.empty();
        }
        Optional<KindDef> kind = kinds.byKind(scalar.text());
        if (kind.isEmpty()) {
            String hint = Suggestions.closest(scalar.text(), kinds.all().stream().map(KindDef::kind).toList())
                    .or(() -> kinds.lookup(scalar.text()).map(KindDef::kind))
                    .map(s -> "; did you mean \"" + s + "\"?")
                    .orElse("");
            problems.at(kindNode, "kind", "unknown kind \"" + scalar.text() + "\" (known kinds: " + known + hint + ")");
        }
        return kind;
    }
}
