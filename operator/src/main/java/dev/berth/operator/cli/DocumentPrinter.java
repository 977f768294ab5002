package dev.berth.operator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;

/** Prints one JSON document as -o json, yaml or jsonpath asks (table, wide and name are printed by their callers). */
final class DocumentPrinter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private DocumentPrinter() {
    }

    static void print(OutputFormat format, JsonNode document, PrintWriter out) {
        switch (format.style()) {
            case json -> out.println(write(JSON, document));
            case yaml -> out.print(write(YAML, document));
            case jsonpath -> {
                String text = JsonPathTemplate.parse(format.template()).render(document);
                out.print(text.endsWith("\n") ? text : text + "\n");
            }
            default -> throw new IllegalArgumentException("not a document format: " + format.style());
        }
        out.flush();
    }

    /** One document per line (json) or per {@code ---} (yaml): what -w prints for each change. */
    static void printChange(OutputFormat format, JsonNode document, PrintWriter out) {
        switch (format.style()) {
            case json -> out.println(write(new ObjectMapper(), document));
            case yaml -> out.print("---\n" + write(YAML, document));
            default -> print(format, document, out);
        }
        out.flush();
    }

    private static String write(ObjectMapper mapper, JsonNode document) {
        try {
            return mapper.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }
}
