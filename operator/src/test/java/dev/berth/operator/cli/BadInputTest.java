package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input through {@code berth apply}: a clear error with file, line and column, exit 1, and
 * etcd exactly as it was (an object applied before stays untouched, no new key appears).
 */
class BadInputTest {
    private static final String GOOD = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: good
            spec:
              services:
                - name: httpd
                  image: berth-test/busybox:1
            """;

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        Path existing = dir.resolve("existing.yaml");
        Files.writeString(existing, GOOD.replace("name: good", "name: existing"));
        assertEquals(0, berth("apply", "-f", existing.toString()).exit());
    }

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    static java.util.stream.Stream<Arguments> badDocuments() {
        return java.util.stream.Stream.of(
                Arguments.of("tabs", GOOD + "\tfoo: bar\n", ":9:1: (document 1): YAML syntax error"),
                Arguments.of("broken-indentation", GOOD.replace("  name: good", "  name: good\n   labels: x"),
                        ":5:10: (document 1): YAML syntax error"),
                Arguments.of("no-kind", GOOD.replace("kind: Stack\n", ""),
                        ":1:1: kind: missing required field \"kind\" (expected one of: Stack, GitSource, Network, Route, Secret, Config)"),
                Arguments.of("unknown-kind", GOOD.replace("kind: Stack", "kind: Stak"),
                        ":2:7: kind: unknown kind \"Stak\" (known kinds: Stack, GitSource, Network, Route, Secret, Config; did you mean \"Stack\"?)"),
                Arguments.of("wrong-type", GOOD + "      resources:\n        cpus: lots\n",
                        ":10:15: spec.services[0].resources.cpus: expected a number, got string \"lots\""),
                Arguments.of("unknown-field", GOOD.replace("image:", "imgae:"),
                        ":8:7: spec.services[0].imgae: unknown field \"imgae\" (did you mean \"image\"?)"),
                Arguments.of("duplicate-service", GOOD + "    - name: httpd\n      image: x\n",
                        ":9:13: spec.services[1].name: duplicate service name \"httpd\" (first at line 7)"),
                Arguments.of("not-a-dns-label", GOOD.replace("name: good", "name: Good_1"),
                        ":4:9: metadata.name: must be a DNS label"),
                Arguments.of("empty", "", ":1:1: file has no documents"),
                Arguments.of("list-not-map", "- apiVersion: berth.dev/v1\n- kind: Stack\n",
                        ":1:1: (document 1): expected a mapping with apiVersion, kind, metadata and spec, got a sequence"),
                Arguments.of("second-document-bad", GOOD + "---\n" + GOOD.replace("good", "other").replace("image:", "imgae:"),
                        ":17:7: spec.services[0].imgae: unknown field"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDocuments")
    void badDocumentIsReportedAndChangesNothing(String name, String content, String expected) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, content);
        assertRejected(file, file + expected);
    }

    @Test
    void tenMegabyteFile() throws Exception {
        Path file = dir.resolve("big.yaml");
        byte[] big = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) '#');
        Files.write(file, big);
        assertRejected(file, file + ":1:1: file is 10485760 bytes; the limit is 1048576");
    }

    @Test
    void binaryGarbage() throws Exception {
        Path file = dir.resolve("garbage.yaml");
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        Files.write(file, bytes);
        assertRejected(file, "not a text file (binary data at byte");
    }

    @Test
    void oneBadFileInAFolderStopsTheWholeApply() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("many"));
        Files.writeString(folder.resolve("a.yaml"), GOOD);
        Files.writeString(folder.resolve("b.yaml"), GOOD.replace("good", "second").replace("image:", "imgae:"));
        assertRejected(folder, "b.yaml:8:7: spec.services[0].imgae: unknown field \"imgae\" (did you mean \"image\"?)");
    }

    @Test
    void sameObjectInTwoFiles() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("twice"));
        Files.writeString(folder.resolve("a.yaml"), GOOD);
        Files.writeString(folder.resolve("b.yaml"), GOOD);
        assertRejected(folder, "stack/good is declared twice");
    }

    private void assertRejected(Path file, String expectedError) {
        Map<String, String> before = etcd.snapshot();
        CliRun run = berth("apply", "-f", file.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(expectedError), () -> "expected <" + expectedError + "> in:\n" + run.err());
        assertTrue(run.err().contains("nothing was changed"), run.err());
        assertEquals("", run.out());
        assertEquals(before, etcd.snapshot(), "etcd must be unchanged");
        CliRun validate = CliRun.raw("validate", "-f", file.toString());
        assertEquals(1, validate.exit());
        assertTrue(validate.err().contains(expectedError), validate.err());
        assertTrue(new String(run.err().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).lines()
                .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), "no stack trace: " + run.err());
    }
}
