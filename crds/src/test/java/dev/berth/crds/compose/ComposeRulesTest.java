package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One folder per Compose rule under {@code compose/rules/}, written for these tests (see its README): the compose
 * file(s), optionally {@code environment} (the importing shell's variables, KEY=VALUE lines) and {@code options}
 * (import options, one per line), and what Berth must give: {@code expected.yaml} with {@code expected-warnings.txt},
 * or {@code expected-errors.txt}. Output is compared as canonical JSON after Berth's own parser read it, so it is
 * also proven valid.
 */
class ComposeRulesTest {
    private static final List<String> MAIN_FILES = List.of("compose.yaml", "compose.yml", "docker-compose.yml",
            "docker-compose.yaml");

    @TestFactory
    Stream<DynamicTest> everyRule() throws Exception {
        Path rules = Path.of(ComposeRulesTest.class.getResource("/compose/rules/README.md").toURI()).getParent();
        List<Path> folders;
        try (Stream<Path> list = Files.list(rules)) {
            folders = list.filter(Files::isDirectory).sorted().toList();
        }
        assertFalse(folders.isEmpty(), "no rules under " + rules);
        return folders.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path dir) throws IOException {
        ComposeImport result = run(dir);
        List<String> warnings = result.warnings().stream().map(Object::toString).toList();
        List<String> errors = result.errors().stream().map(Object::toString).toList();
        Path expectedErrors = dir.resolve("expected-errors.txt");
        if (Files.exists(expectedErrors)) {
            assertEquals(lines(expectedErrors), errors, "errors of " + dir.getFileName() + "; warnings: " + warnings);
            return;
        }
        assertTrue(result.ok(), "errors of " + dir.getFileName() + ": " + errors);
        String expected = Files.readString(dir.resolve("expected.yaml")).replace("@DIR@", dir.toString());
        assertEquals(canonical(expected), canonical(result.yaml()), result.yaml());
        Path expectedWarnings = dir.resolve("expected-warnings.txt");
        assertEquals(Files.exists(expectedWarnings) ? lines(expectedWarnings) : List.of(), warnings,
                "warnings of " + dir.getFileName());
    }

    /**
     * The import as {@code berth import compose} runs it with the folder's options: {@code -f FILE} (repeatable; none:
     * the folder's compose file and its override file, as Compose finds them), {@code --name STACK},
     * {@code --profile NAME} (repeatable), {@code --env-file FILE}, {@code --keep-container-names}.
     */
    private static ComposeImport run(Path dir) throws IOException {
        List<String> options = Files.exists(dir.resolve("options")) ? lines(dir.resolve("options")) : List.of();
        String name = null;
        boolean keepContainerNames = false;
        List<String> files = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        Path envFile = null;
        for (String option : options) {
            String[] words = option.split(" ", 2);
            switch (words[0]) {
                case "--name" -> name = words[1];
                case "-f" -> files.add(words[1]);
                case "--profile" -> profiles.add(words[1]);
                case "--env-file" -> envFile = dir.resolve(words[1]);
                case "--keep-container-names" -> keepContainerNames = true;
                default -> throw new IllegalArgumentException(dir + "/options: unknown option " + option);
            }
        }
        List<ComposeProblem> notes = List.of();
        List<Path> named = files.isEmpty() ? ComposeFiles.fromVariable(dir, environment(dir),
                envFile != null ? envFile : dir.resolve(".env")) : List.of();
        if (!named.isEmpty()) {
            named.forEach(f -> files.add(dir.relativize(f).toString()));
            notes = List.of(ComposeFiles.variableNote(files.stream().map(Path::of).toList()));
        } else if (files.isEmpty()) {
            String main = MAIN_FILES.stream().filter(f -> Files.exists(dir.resolve(f))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(dir + " has no compose file"));
            List<Path> found = ComposeFiles.discover(dir.resolve(main));
            found.forEach(f -> files.add(dir.relativize(f).toString()));
            notes = ComposeFiles.notes(dir, files.stream().map(Path::of).toList());
        }
        List<ComposeInput.File> inputs = new ArrayList<>();
        for (String file : files) {
            inputs.add(new ComposeInput.File(file, dir.resolve(file).getParent(), Files.readString(dir.resolve(file))));
        }
        return new ComposeImporter(new ComposeOptions(true, keepContainerNames))
                .convert(new ComposeInput(inputs, dir.resolve(files.get(0)).getParent(), environment(dir), name, null,
                        profiles, envFile, notes));
    }

    private static Map<String, String> environment(Path dir) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        Path file = dir.resolve("environment");
        if (Files.exists(file)) {
            for (String line : lines(file)) {
                int eq = line.indexOf('=');
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readString(file).lines().filter(l -> !l.isBlank()).toList();
    }

    private static List<String> canonical(String yaml) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("imported.yaml", yaml);
        assertTrue(parsed.ok(), parsed.errors() + "\n" + yaml);
        return parsed.resources().stream().map(Resource::canonicalJson).toList();
    }
}
