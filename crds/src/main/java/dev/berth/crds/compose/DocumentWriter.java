package dev.berth.crds.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;

/** Writes documents as one YAML text, one {@code ---} document each, quoting only what would be misread. */
final class DocumentWriter {
    private final YAMLMapper mapper = YAMLMapper.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // "5432" in env must stay a string for whoever reads the YAML next, not only for Berth's schema.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    String write(String header, List<ObjectNode> documents) {
        StringBuilder out = new StringBuilder(header);
        for (int i = 0; i < documents.size(); i++) {
            if (i > 0) {
                out.append("---\n");
            }
            try {
                out.append(mapper.writeValueAsString(documents.get(i)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a JSON tree as YAML", e);
            }
        }
        return out.toString();
    }
}
