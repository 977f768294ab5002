package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.berth.crds.ValidationError;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error Berth's validation found in what {@code berth import compose} made, told of the compose file: the service
 * it came from ({@code spec.services[2]} is the third service of the imported Stack), else the object's field.
 */
final class ImportedErrors {
    private static final Pattern SERVICE = Pattern.compile("spec\\.services\\[(\\d+)]");

    private ImportedErrors() {
    }

    static String located(String composeFile, ValidationError error, String yaml) {
        Matcher m = SERVICE.matcher(error.path());
        String service = m.lookingAt() ? stackService(yaml, Integer.parseInt(m.group(1))) : null;
        String where = service == null ? "" : "services." + service + ": ";
        return composeFile + ": " + where + error.message() + " (in the imported objects at line " + error.line()
                + (error.path().isEmpty() ? "" : ", " + error.path()) + ")";
    }

    /** The name of the Stack's {@code index}-th service (an import makes one Stack), or null when unreadable. */
    private static String stackService(String yaml, int index) {
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && "Stack".equals(document.path("kind").asText())) {
                    JsonNode name = document.path("spec").path("services").path(index).path("name");
                    return name.isTextual() ? name.asText() : null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The message without the service is still the error.
        }
        return null;
    }
}
