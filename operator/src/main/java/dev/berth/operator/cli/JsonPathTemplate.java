package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * A kubectl {@code -o jsonpath=} template evaluated with Jayway JsonPath. The subset: literal text, {@code {EXPR}}
 * where EXPR is a JsonPath with kubectl's leading {@code .} (read as {@code $.}), e.g. {@code {.items[*].metadata.name}},
 * {@code {.items[?(@.kind=="Stack")].metadata.name}}, {@code {.spec.services[0].image}}; {@code {"\n"}} and
 * {@code {"\t"}} literals; a template without braces is one expression. kubectl's {@code range}/{@code end} loops are
 * not supported (refused). Several matches print space-separated; objects and arrays print as compact JSON; a missing
 * field prints nothing (kubectl's default, --allow-missing-template-keys).
 */
final class JsonPathTemplate {
    private static final Configuration JACKSON = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider())
            .mappingProvider(new JacksonMappingProvider())
            .options(Option.SUPPRESS_EXCEPTIONS)
            .build();

    /** A literal (path null) or an expression. */
    private record Part(String literal, JsonPath path) {
    }

    private final List<Part> parts;

    private JsonPathTemplate(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    static JsonPathTemplate parse(String template) {
        List<Part> parts = new ArrayList<>();
        if (template.indexOf('{') < 0) {
            parts.add(expression(template, template));
            return new JsonPathTemplate(parts);
        }
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                parts.add(new Part(template.substring(at), null));
                break;
            }
            if (open > at) {
                parts.add(new Part(template.substring(at, open), null));
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("bad jsonpath template \"" + template + "\": unclosed {");
            }
            String inner = template.substring(open + 1, close).strip();
            if (inner.length() >= 2 && inner.startsWith("\"") && inner.endsWith("\"")) {
                parts.add(new Part(unescape(inner.substring(1, inner.length() - 1)), null));
            } else {
                parts.add(expression(inner, template));
            }
            at = close + 1;
        }
        return new JsonPathTemplate(parts);
    }

    private static Part expression(String text, String template) {
        String expr = text.strip();
        if (expr.startsWith("range") || expr.equals("end")) {
            throw new IllegalArgumentException("bad jsonpath template \"" + template
                    + "\": range/end are not supported; use {.items[*].metadata.name}");
        }
        String path = expr.startsWith("$") ? expr : expr.startsWith(".") || expr.startsWith("[") ? "$" + expr : "$." + expr;
        try {
            return new Part(null, JsonPath.compile(path));
        } catch (InvalidPathException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad jsonpath template \"" + template + "\": " + e.getMessage());
        }
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"");
    }

    String render(JsonNode document) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part.path() == null) {
                out.append(part.literal());
                continue;
            }
            JsonNode value = part.path().read(document, JACKSON);
            if (value == null) {
                continue;
            }
            if (!part.path().isDefinite() && value.isArray()) {
                List<String> each = new ArrayList<>();
                value.forEach(v -> each.add(text(v)));
                out.append(String.join(" ", each));
            } else {
                out.append(text(value));
            }
        }
        return out.toString();
    }

    private static String text(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
