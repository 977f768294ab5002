package dev.berth.crds.compose;

import dev.berth.crds.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/secrets.md says what the code does: every manifest of "The manifests" is valid, and the compose example of
 * "Compose import" gives exactly the objects and warnings printed under it.
 */
class SecretsDocsTest {
    private static final Pattern BLOCK = Pattern.compile("```(yaml|text)\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theManifestsSectionsExamplesAreValid() throws Exception {
        List<String> yaml = blocks(section("The manifests"), "yaml");
        assertEquals(3, yaml.size(), "a Secret, a Config and a Stack");
        for (String example : yaml) {
            List<Resource> resources = ComposeImporterTest.valid(example);
            assertEquals(1, resources.size());
        }
    }

    @Test
    void theComposeExampleImportsAsDocumented() throws Exception {
        String section = section("Compose import");
        List<String> yaml = blocks(section, "yaml");
        List<String> text = blocks(section, "text");
        Files.writeString(dir.resolve("db_password.txt"), "hunter2");
        ComposeImport result = ComposeImporterTest.importer()
                .convert(new ComposeInput("compose.yaml", dir, yaml.get(0), Map.of(), null));
        assertTrue(result.ok(), result.errors().toString());
        assertEquals(canonical(ComposeImporterTest.valid(yaml.get(1))), canonical(ComposeImporterTest.valid(result.yaml())),
                result.yaml());
        assertEquals(text.get(0).lines().toList(), result.warnings().stream().map(Object::toString).toList());
    }

    private static List<String> canonical(List<Resource> resources) {
        return resources.stream().map(Resource::canonicalJson).toList();
    }

    private static List<String> blocks(String section, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(section);
        while (m.find()) {
            if (m.group(1).equals(language)) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    private static String section(String title) throws Exception {
        String doc = Files.readString(docs().resolve("secrets.md"));
        int start = doc.indexOf("\n## " + title + "\n");
        assertTrue(start >= 0, "docs/secrets.md has no section " + title);
        int end = doc.indexOf("\n## ", start + 1);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    private static Path docs() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs").resolve("secrets.md"))) {
                return p.resolve("docs");
            }
        }
        throw new AssertionError("docs/secrets.md not found above " + Path.of("").toAbsolutePath());
    }
}
