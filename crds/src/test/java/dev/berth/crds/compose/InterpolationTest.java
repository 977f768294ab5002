package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compose's ${...} forms, .env, $$, and where their errors point. */
class InterpolationTest {
    @TempDir
    Path dir;

    private ComposeImport run(String yaml, Map<String, String> env) {
        return new ComposeImporter(new ComposeOptions(true)).convert(new ComposeInput("c.yml", dir, yaml, env, "app"));
    }

    private String value(String expression, Map<String, String> env) {
        ComposeImport result = run("services:\n  s:\n    image: x\n    environment:\n      V: \"" + expression + "\"\n", env);
        assertEquals(List.of(), result.errors());
        return ComposeImporterTest.valid(result.yaml()).get(0).spec(dev.berth.crds.stack.StackSpec.class)
                .services().get(0).env().get("V");
    }

    @Test
    void everyForm() {
        Map<String, String> env = Map.of("SET", "v", "EMPTY", "");
        assertEquals("v", value("${SET}", env));
        assertEquals("v", value("$SET", env));
        assertEquals("a-v-b", value("a-${SET}-b", env));
        assertEquals("d", value("${UNSET:-d}", env));
        assertEquals("d", value("${EMPTY:-d}", env));
        assertEquals("", value("${EMPTY-d}", env));
        assertEquals("d", value("${UNSET-d}", env));
        assertEquals("alt", value("${SET:+alt}", env));
        assertEquals("", value("${EMPTY:+alt}", env));
        assertEquals("v", value("${UNSET:-${SET}}", env));
        assertEquals("$SET", value("$$SET", env));
        assertEquals("costs $5", value("costs $5", env));
    }

    @Test
    void unsetVariableIsAWarning() {
        ComposeImport result = run("services:\n  s:\n    image: x:${TAG}\n", Map.of());
        assertEquals(List.of("c.yml:3:12: services.s.image: variable TAG is not set; using an empty string"),
                result.warnings().stream().filter(w -> !w.path().equals("services")).map(Object::toString).toList());
    }

    @Test
    void requiredVariableIsAnError() {
        ComposeImport result = run("services:\n  s:\n    image: \"x:${TAG:?give a tag}\"\n", Map.of());
        assertEquals(List.of("c.yml:3:12: services.s.image: required variable TAG is missing a value: give a tag"),
                result.errors().stream().map(Object::toString).toList());
        assertEquals("c.yml:3:12: services.s.image: required variable TAG is missing a value",
                run("services:\n  s:\n    image: \"x:${TAG?}\"\n", Map.of()).errors().get(0).toString());
    }

    @Test
    void unclosedBraceIsAnError() {
        assertEquals("c.yml:3:12: services.s.image: invalid interpolation format: \"${TAG\" has no closing }",
                run("services:\n  s:\n    image: x:${TAG\n", Map.of()).errors().get(0).toString());
    }

    @Test
    void dotEnvFillsInAndTheProcessWins() throws Exception {
        Files.writeString(dir.resolve(".env"), "# defaults\nTAG=1.0\nexport REG=\"registry.example\"\n");
        ComposeImport result = run("services:\n  s:\n    image: ${REG}/app:${TAG}\n", Map.of("TAG", "2.0"));
        assertEquals("registry.example/app:2.0", ComposeImporterTest.valid(result.yaml()).get(0)
                .spec(dev.berth.crds.stack.StackSpec.class).services().get(0).image());
    }

    @Test
    void missingEnvFileIsAnErrorAtItsLine() {
        ComposeImport result = run("services:\n  s:\n    image: x\n    env_file:\n      - missing.env\n"
                + "      - path: optional.env\n        required: false\n", Map.of());
        assertEquals(List.of("c.yml:5:9: services.s.env_file[0]: env file " + dir.resolve("missing.env") + " not found"),
                result.errors().stream().map(Object::toString).toList());
        assertEquals(List.of("c.yml:6:9: services.s.env_file[1]: env file " + dir.resolve("optional.env")
                + " not found; skipped (required: false)"), result.warnings().stream().filter(w -> !w.path().equals("services")).map(Object::toString).toList());
    }
}
