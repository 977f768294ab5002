package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.ValidationError;
import dev.berth.operator.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What berth import compose says when the imported objects fail Berth's validation: the compose file's words. */
class ImportedErrorsTest {
    private static final String YAML = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: shop
            spec:
              services:
                - name: web
                  image: nginx
                - name: api
                  image: nginx
            """;

    @Test
    void aServiceErrorNamesTheComposeFileAndTheService() {
        ValidationError error = new ValidationError("<x>", 12, 9, "spec.services[1].dependsOn", "dependency cycle");
        assertEquals("compose.yaml: services.api: dependency cycle (in the imported objects at line 12, "
                + "spec.services[1].dependsOn)", ImportedErrors.located("compose.yaml", error, YAML));
    }

    @Test
    void anyOtherErrorStillNamesTheComposeFile() {
        ValidationError error = new ValidationError("<x>", 3, 1, "metadata.name", "bad name");
        assertEquals("compose.yaml: bad name (in the imported objects at line 3, metadata.name)",
                ImportedErrors.located("compose.yaml", error, YAML));
    }

    /** A user error the converter's own check turns into a compose error: file:line:col, never "please report". */
    @Test
    void aDependsOnCycleIsTheComposeFilesError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, """
                services:
                  a:
                    image: nginx
                    depends_on: [b]
                  b:
                    image: nginx
                    depends_on: [a]
                """);
        CliRun run = CliRun.raw("import", "compose", file.toString());
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.err().contains(file + ":4:5: services.a.depends_on: dependency cycle through service \"a\"\n"
                + "1 error; nothing was imported\n"), run.err());
        assertFalse(run.err().contains("please report"), run.err());
        assertEquals("", run.out());
    }
}
