package dev.berth.crds;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per kind of bad input: each asserts file, line, column, path and the exact message. */
class ManifestParserErrorsTest {

    private static ValidationError onlyError(String yaml) {
        ParseResult result = Manifests.PARSER.parse("bad.yaml", yaml);
        assertEquals(1, result.errors().size(), () -> "errors: " + result.errors());
        assertFalse(result.ok());
        return result.errors().get(0);
    }

    /** Like onlyError, for files whose every document is broken. */
    private static ValidationError onlyErrorNoResources(String yaml) {
        ParseResult result = Manifests.PARSER.parse("bad.yaml", yaml);
        assertTrue(result.resources().isEmpty(), () -> "resources: " + result.resources());
        return onlyError(yaml);
    }

    private static void assertError(ValidationError error, int line, int column, String path, String message) {
        assertEquals(new ValidationError("bad.yaml", line, column, path, message), error, error::toString);
    }

    @Test
    void tabIndentationIsASyntaxErrorOnOneLine() {
        ValidationError error = onlyError("apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n\tname: web\n");
        assertError(error, 4, 1, "(document 1)",
                "YAML syntax error: found character 'TAB' that cannot start any token. (Do not use TAB for indentation)");
        assertEquals(1, error.toString().lines().count());
    }

    @Test
    void brokenIndentationIsASyntaxError() {
        ValidationError error = onlyError("""
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: web
                   labels: {}
                """);
        assertError(error, 5, 10, "(document 1)", "YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void missingKind() {
        ValidationError error = onlyError("apiVersion: berth.dev/v1\nmetadata:\n  name: web\nspec: {}\n");
        assertError(error, 1, 1, "kind", "missing required field \"kind\" (expected one of: Stack, GitSource, Network, Route, Secret, Config)");
    }

    @Test
    void unknownKindSuggestsTheClosest() {
        ValidationError error = onlyErrorNoResources(Manifests.MINIMAL.replace("kind: Stack", "kind: Stak"));
        assertError(error, 2, 7, "kind", "unknown kind \"Stak\" (known kinds: Stack, GitSource, Network, Route, Secret, Config; did you mean \"Stack\"?)");
        assertEquals("bad.yaml:2:7: kind: unknown kind \"Stak\" (known kinds: Stack, GitSource, Network, Route, Secret, Config; did you mean \"Stack\"?)",
                error.toString());
    }

    @Test
    void unknownKindWithoutSuggestion() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("kind: Stack", "kind: Deployment"));
        assertError(error, 2, 7, "kind", "unknown kind \"Deployment\" (known kinds: Stack, GitSource, Network, Route, Secret, Config)");
    }

    @Test
    void wrongApiVersion() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("berth.dev/v1", "v1"));
        assertError(error, 1, 13, "apiVersion", "must be one of: berth.dev/v1 (got \"v1\")");
    }

    @Test
    void wrongTypeForANumber() {
        ValidationError error = onlyError(Manifests.MINIMAL + "      resources: {cpus: lots}\n");
        assertError(error, 9, 25, "spec.services[0].resources.cpus", "expected a number, got string \"lots\"");
    }

    @Test
    void wrongTypeForAnIntegerAndAMapping() {
        ParseResult result = Manifests.PARSER.parse("bad.yaml", Manifests.MINIMAL
                + "      ports: [{target: \"80\"}]\n      env: [A]\n");
        assertEquals(List.of(
                new ValidationError("bad.yaml", 9, 24, "spec.services[0].ports[0].target",
                        "expected an integer, got string \"80\""),
                new ValidationError("bad.yaml", 10, 12, "spec.services[0].env", "expected a mapping, got a list")),
                result.errors());
    }

    @Test
    void unknownFieldSuggestsTheClosest() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("      image: busybox:1\n",
                "      image: busybox:1\n      imgae: busybox:2\n"));
        assertError(error, 9, 7, "spec.services[0].imgae", "unknown field \"imgae\" (did you mean \"image\"?)");
    }

    @Test
    void unknownFieldMatchesCaseInsensitively() {
        ValidationError error = onlyError(Manifests.MINIMAL + "      ReadOnly: true\n");
        assertError(error, 9, 7, "spec.services[0].ReadOnly", "unknown field \"ReadOnly\" (did you mean \"readOnly\"?)");
    }

    @Test
    void unknownFieldWithoutSuggestionListsAllowedFields() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("  name: web\n", "  name: web\n  namespace: x\n"));
        assertError(error, 5, 3, "metadata.namespace",
                "unknown field \"namespace\" (allowed: name, labels, annotations)");
    }

    @Test
    void missingRequiredField() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("      image: busybox:1\n", ""));
        assertError(error, 7, 7, "spec.services[0]", "service \"httpd\" needs image (what to run, like nginx:1.27) "
                + "or build (a Dockerfile's folder to build it from)");
    }

    @Test
    void duplicateServiceName() {
        ValidationError error = onlyError(Manifests.MINIMAL + "    - name: httpd\n      image: busybox:2\n");
        assertError(error, 9, 13, "spec.services[1].name", "duplicate service name \"httpd\" (first at line 7)");
    }

    @Test
    void duplicateKey() {
        ValidationError error = onlyError(Manifests.MINIMAL + "      image: busybox:2\n");
        assertError(error, 9, 7, "spec.services[0].image", "duplicate key \"image\" (first at line 8)");
    }

    @Test
    void nameThatIsNotADnsLabel() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("- name: httpd", "- name: Web_1"));
        assertError(error, 7, 13, "spec.services[0].name", "must be a DNS label: lowercase letters, digits and '-', "
                + "start and end with a letter or digit, at most 63 characters");
    }

    @Test
    void metadataNameTooLong() {
        ValidationError error = onlyError(Manifests.MINIMAL.replace("name: web", "name: " + "a".repeat(64)));
        assertEquals("metadata.name", error.path());
        assertTrue(error.message().startsWith("must be a DNS label"));
    }

    @Test
    void emptyFile() {
        assertError(onlyError(""), 1, 1, "", "file has no documents");
    }

    @Test
    void fileOfSeparatorsAndCommentsHasNoDocuments() {
        assertError(onlyError("# nothing here\n---\n\n---\n# still nothing\n...\n"), 1, 1, "", "file has no documents");
    }

    @Test
    void oversizedFileIsRefusedBeforeParsing() {
        byte[] content = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(content, (byte) '[');  // would blow up a parser if it got that far
        ParseResult result = Manifests.PARSER.parse("big.yaml", content);
        assertEquals(List.of(new ValidationError("big.yaml", 1, 1, "", "file is 10485760 bytes; the limit is 1048576")),
                result.errors());
    }

    @Test
    void nulBytesAreBinary() {
        byte[] content = "apiVersion: berth.dev/v1\nki\0nd: Stack\n".getBytes(StandardCharsets.UTF_8);
        ParseResult result = Manifests.PARSER.parse("bad.yaml", content);
        assertEquals(List.of(new ValidationError("bad.yaml", 2, 3, "", "not a text file (binary data at byte 27)")),
                result.errors());
    }

    @Test
    void invalidUtf8IsBinary() {
        byte[] content = {'a', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'};
        ParseResult result = Manifests.PARSER.parse("bad.yaml", content);
        assertEquals(List.of(new ValidationError("bad.yaml", 1, 4, "", "not a text file (binary data at byte 3)")),
                result.errors());
    }

    @Test
    void documentThatIsASequence() {
        ValidationError error = onlyError("- apiVersion: berth.dev/v1\n- kind: Stack\n");
        assertError(error, 1, 1, "(document 1)",
                "expected a mapping with apiVersion, kind, metadata and spec, got a sequence");
    }

    @Test
    void documentThatIsAScalar() {
        ValidationError error = onlyError(Manifests.MINIMAL + "---\nhello world\n");
        assertError(error, 10, 1, "(document 2)",
                "expected a mapping with apiVersion, kind, metadata and spec, got a scalar");
    }

    @Test
    void sameObjectTwiceInOneFile() {
        ValidationError error = onlyError(Manifests.MINIMAL + "---\n" + Manifests.MINIMAL);
        assertError(error, 13, 9, "metadata.name", "duplicate Stack \"web\" in this file (first at line 4)");
    }

    @Test
    void enumAndRangeAndFormats() {
        ParseResult result = Manifests.PARSER.parse("bad.yaml", Manifests.MINIMAL + """
                      restart: sometimes
                      replicas: 101
                      ports: [{target: 0, protocol: sctp}]
                      healthcheck: {test: [CMD, "true"], interval: 5 seconds}
                      resources: {cpus: 0, memory: lots}
                      volumes: [{type: bind, source: /srv, target: data}]
                """);
        assertEquals(List.of(
                "bad.yaml:9:16: spec.services[0].restart: must be one of: no, always, on-failure, unless-stopped (got \"sometimes\")",
                "bad.yaml:10:17: spec.services[0].replicas: must be at most 100 (got 101)",
                "bad.yaml:11:24: spec.services[0].ports[0].target: must be at least 1 (got 0)",
                "bad.yaml:11:37: spec.services[0].ports[0].protocol: must be one of: tcp, udp (got \"sctp\")",
                "bad.yaml:12:52: spec.services[0].healthcheck.interval: must be a duration like 10s, 1m30s or 500ms (got \"5 seconds\")",
                "bad.yaml:13:25: spec.services[0].resources.cpus: must be at least 0.01 (got 0)",
                "bad.yaml:13:36: spec.services[0].resources.memory: must be a quantity of bytes like 256m, 1g or 512Mi (got \"lots\")",
                "bad.yaml:14:52: spec.services[0].volumes[0].target: must be an absolute path, starting with / (got \"data\")"),
                result.errors().stream().map(ValidationError::toString).toList());
    }

    @Test
    void allErrorsOfAllDocumentsAreReported() {
        String yaml = Manifests.MINIMAL.replace("kind: Stack", "kind: Stak")
                + "---\n"
                + Manifests.MINIMAL.replace("name: web", "name: Web").replace("image: busybox:1", "imgae: busybox:1")
                + "---\n"
                + "a:\n\tb: 1\n"
                + "---\n"
                + Manifests.MINIMAL.replace("name: web", "name: ok");
        ParseResult result = Manifests.PARSER.parse("many.yaml", yaml);
        assertEquals(List.of(
                "many.yaml:2:7: kind: unknown kind \"Stak\" (known kinds: Stack, GitSource, Network, Route, Secret, Config; did you mean \"Stack\"?)",
                "many.yaml:13:9: metadata.name: must be a DNS label: lowercase letters, digits and '-', start and end with a letter or digit, at most 63 characters",
                "many.yaml:17:7: spec.services[0].imgae: unknown field \"imgae\" (did you mean \"image\"?)",
                "many.yaml:20:1: (document 3): YAML syntax error: found character 'TAB' that cannot start any token. (Do not use TAB for indentation)"),
                result.errors().stream().map(ValidationError::toString).toList());
        // The good document still parses, so `berth apply --dry-run` can show what would have been applied.
        assertEquals(List.of("stack/ok"), result.resources().stream().map(Resource::key).toList());
    }
}
