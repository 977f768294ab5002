package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ValidationError;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Berth's own validation of the converted objects before anyone sees them. A rule the converter does not check itself
 * (a depends_on cycle, one host port published twice, a mount target that is not absolute, ...) is the compose file's
 * error, so it is reported as one: at the compose key the field came from, with the validator's message, and no
 * output. Only what cannot be traced back is reported at the top of the file.
 */
final class OutputValidation {
    private static final Pattern SERVICE_FIELD = Pattern.compile("spec\\.services\\[(\\d+)](?:\\.([A-Za-z]+))?.*");
    private static final Pattern SERVICE_MENTION = Pattern.compile("spec\\.services\\[(\\d+)]");
    /** Output lines mean nothing to the reader of the compose file. */
    private static final Pattern OUTPUT_LINE = Pattern.compile(",? (?:at line \\d+|\\(line \\d+\\))");
    /** Stack fields whose compose key is not their snake_case spelling, in the order they are looked for. */
    private static final Map<String, List<String>> COMPOSE_KEYS = Map.of(
            "env", List.of("environment", "env_file"),
            "ports", List.of("ports", "expose"),
            "volumes", List.of("volumes", "tmpfs"),
            "imagePullPolicy", List.of("pull_policy"),
            "resources", List.of("deploy", "cpus", "mem_limit", "mem_reservation"),
            "replicas", List.of("deploy", "scale"),
            "placement", List.of("deploy"),
            "update", List.of("deploy"));

    private final Diagnostics diagnostics;

    OutputValidation(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /**
     * @param yaml         the documents as written (a header line, then documents separated by {@code ---} lines)
     * @param services     the compose file's services
     * @param serviceNames compose service name → Berth service name
     * @param routeOrigins Route name → the Traefik label it was made from
     */
    void check(String yaml, List<ObjectNode> documents, ComposeNode.Mapping services, Map<String, String> serviceNames,
               Map<String, Nodes.Valued> routeOrigins) {
        List<ValidationError> errors = new ManifestParser(Kinds.standard()).parse("imported", yaml).errors();
        if (errors.isEmpty()) {
            return;
        }
        Map<String, String> composeNames = new HashMap<>();
        serviceNames.forEach((compose, berth) -> composeNames.put(berth, compose));
        List<String> lines = yaml.lines().toList();
        for (ValidationError error : errors) {
            ObjectNode document = documents.get(Math.min(documentAt(lines, error.line()), documents.size() - 1));
            String kind = document.path("kind").asText();
            String name = document.path("metadata").path("name").asText();
            String message = message(error.message(), document, composeNames);
            Matcher field = SERVICE_FIELD.matcher(error.path());
            if (kind.equals("Stack") && field.matches()) {
                String berth = document.path("spec").path("services").path(Integer.parseInt(field.group(1)))
                        .path("name").asText();
                ComposeNode.Entry service = services.entries().get(composeNames.getOrDefault(berth, berth));
                if (service != null) {
                    at(service, field.group(2), message);
                    continue;
                }
            }
            Nodes.Valued origin = kind.equals("Route") ? routeOrigins.get(name) : null;
            if (origin != null) {
                diagnostics.error(origin, origin.path(), "the Route made from this label: "
                        + message);
            } else {
                diagnostics.error(1, 1, "", kind + " " + name + " (" + error.path() + "): " + message);
            }
        }
    }

    /** The service's compose key the Stack field came from, else the service itself. */
    private void at(ComposeNode.Entry service, String stackField, String message) {
        String path = Paths.child("services", service.key());
        if (stackField != null && service.value() instanceof ComposeNode.Mapping m) {
            List<String> keys = COMPOSE_KEYS.getOrDefault(stackField,
                    List.of(stackField.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase()));
            for (String key : keys) {
                ComposeNode.Entry e = m.entries().get(key);
                if (e != null) {
                    diagnostics.error(e, Paths.child(path, key), message);
                    return;
                }
            }
        }
        diagnostics.error(service, path, message);
    }

    /** The validator's words, with the output's service indices as compose names and its line numbers left out. */
    private static String message(String message, ObjectNode document, Map<String, String> composeNames) {
        Matcher m = SERVICE_MENTION.matcher(OUTPUT_LINE.matcher(message).replaceAll(""));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode berth = document.path("spec").path("services").path(Integer.parseInt(m.group(1))).path("name");
            String name = berth.isTextual() ? composeNames.getOrDefault(berth.asText(), berth.asText()) : null;
            m.appendReplacement(out, Matcher.quoteReplacement(name == null ? m.group() : Paths.child("services", name)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The index of the document holding a 1-based output line: the {@code ---} lines above it. */
    private static int documentAt(List<String> lines, int line) {
        int index = 0;
        for (int i = 0; i < Math.min(line - 1, lines.size()); i++) {
            if (lines.get(i).equals("---")) {
                index++;
            }
        }
        return index;
    }
}
