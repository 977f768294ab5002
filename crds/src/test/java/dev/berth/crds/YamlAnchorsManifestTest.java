package dev.berth.crds;

import dev.berth.crds.stack.StackSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Anchors, aliases and merge keys in manifests (berth apply, GitOps, the operator reading etcd). */
class YamlAnchorsManifestTest {
    private static final String WRITTEN_OUT = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: shop
              labels: {team: shop, tier: web}
            spec:
              services:
                - name: api
                  image: registry.example/shop:1.4
                  env: {LOG_LEVEL: info, REGION: eu}
                  command: [serve, --port, "8080"]
                  labels: {team: shop, tier: web}
                - name: worker
                  image: registry.example/shop:1.4
                  env: {LOG_LEVEL: debug, REGION: eu, PORT: "8080"}
                  command: [work]
                  labels: {team: shop, tier: web}
                - name: cron
                  image: registry.example/shop:1.4
                  env: {LOG_LEVEL: info, REGION: eu}
                  command: [serve, --port, "8080"]
            """;

    private static final String WITH_ANCHORS = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: shop
              labels: &labels {team: shop, tier: web}
            spec:
              services:
                - &base
                  name: api
                  image: &image registry.example/shop:1.4
                  env: &env
                    LOG_LEVEL: info
                    REGION: eu
                  command: &command [serve, --port, &port "8080"]
                  labels: *labels
                - <<: *base
                  name: worker
                  env:
                    <<: *env
                    LOG_LEVEL: debug
                    PORT: *port
                  command: [work]
                - name: cron
                  image: *image
                  env: *env
                  command: *command
            """;

    private static Resource only(String yaml) {
        ParseResult result = Manifests.PARSER.parse("shop.yaml", yaml);
        assertTrue(result.ok(), () -> result.errors().toString());
        assertEquals(1, result.resources().size());
        return result.resources().get(0);
    }

    private static List<String> errors(String yaml) {
        return Manifests.PARSER.parse("shop.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    @Test
    void anchorsAliasesAndMergeKeysGiveTheSameStackAsWrittenOut() {
        assertEquals(only(WRITTEN_OUT).canonicalJson(), only(WITH_ANCHORS).canonicalJson());
    }

    @Test
    void theStoredTextKeepsTheAnchorsAndReadsTheSameAgain() {
        Resource parsed = only(WITH_ANCHORS);
        assertTrue(parsed.yaml().contains("<<: *base"), parsed.yaml());
        assertEquals(parsed.canonicalJson(), only(parsed.yaml()).canonicalJson());
    }

    @Test
    void anAnchorDefinedAgainIsTheLatestForLaterAliases() {
        Resource parsed = only(Manifests.MINIMAL + """
                      env:
                        A: &v first
                        B: *v
                        C: &v second
                        D: *v
                """);
        assertEquals(Map.of("A", "first", "B", "first", "C", "second", "D", "second"),
                parsed.spec(StackSpec.class).services().get(0).env());
    }

    @Test
    void anchorsOnKeysAndAliasesAsKeys() {
        Resource parsed = only(Manifests.MINIMAL + """
                      env:
                        &key UPSTREAM: http://backend
                        NAME: *key
                      labels:
                        *key : yes
                """);
        var service = parsed.spec(StackSpec.class).services().get(0);
        assertEquals(Map.of("UPSTREAM", "http://backend", "NAME", "UPSTREAM"), service.env());
        assertEquals(Map.of("UPSTREAM", "yes"), service.labels());
    }

    @Test
    void aliasBeforeItsAnchorIsAnErrorAtTheAlias() {
        assertEquals(List.of("shop.yaml:8:14: spec.services[0].image: unknown alias *image: no anchor &image before"
                        + " it in this document"),
                errors(Manifests.MINIMAL.replace("image: busybox:1", "image: *image") + """
                      labels: {x: &image busybox:1}
                """));
    }

    @Test
    void anchorsDoNotReachIntoTheNextDocument() {
        String first = Manifests.MINIMAL.replace("image: busybox:1", "image: &image busybox:1");
        String second = Manifests.MINIMAL.replace("name: web", "name: other").replace("busybox:1", "*image");
        assertEquals(List.of("shop.yaml:17:14: spec.services[0].image: unknown alias *image: no anchor &image before"
                + " it in this document"), errors(first + "---\n" + second));
    }

    @Test
    void anAliasInsideTheValueItNamesIsAnError() {
        assertEquals(List.of("shop.yaml:9:25: spec.services[0].command[1]: alias *cmd is inside the value anchored"
                + " &cmd; a value cannot contain itself"), errors(Manifests.MINIMAL + """
                      command: &cmd [a, *cmd]
                """));
    }

    @Test
    void onlyAPlainMergeKeyMergesAQuotedOneIsAnOrdinaryKey() {
        Problems problems = new Problems("x.yaml");
        Optional<YamlNode> root = new YamlTreeReader().read("base: &b {a: 1}\nm: {\"<<\": *b, <<: *b}\n", 0, "",
                problems);
        assertEquals(0, problems.count(), () -> problems.sorted().toString());
        YamlNode.Mapping m = (YamlNode.Mapping) ((YamlNode.Mapping) root.orElseThrow()).get("m");
        assertEquals(List.of("a", "<<"), List.copyOf(m.entries().keySet()));
    }

    @Test
    void mergingAScalarIsAnErrorThatDoesNotEchoTheValue() {
        assertEquals(List.of("shop.yaml:10:9: spec.services[0].env.<<: << merges a mapping or a list of mappings,"
                + " not a scalar"), errors(Manifests.MINIMAL + """
                      env:
                        <<: &secret hunter2
                """));
    }

    @Test
    void anErrorInAValueAsAWholePointsAtTheAlias() {
        // The anchored "three" is fine as a label value; used as replicas it is wrong where the alias stands.
        List<String> errors = errors(Manifests.MINIMAL + """
                      labels: {count: &n three}
                      replicas: *n
                """);
        assertEquals(List.of("shop.yaml:10:17: spec.services[0].replicas: expected an integer, got string \"three\""),
                errors);
    }

    @Test
    void anErrorInsideAnAliasedMappingPointsAtTheAnchoredText() {
        List<String> errors = errors("""
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: shop
                spec:
                  services:
                    - &base
                      name: api
                      image: registry.example/shop:1.4
                      replicas: lots
                    - <<: *base
                      name: worker
                """);
        assertEquals(2, errors.size(), errors::toString);
        assertTrue(errors.get(0).startsWith("shop.yaml:10:17: spec.services[0].replicas: "), errors::toString);
        assertTrue(errors.get(1).startsWith("shop.yaml:10:17: spec.services[1].replicas: "), errors::toString);
    }

    @Test
    void anAliasBombIsRefusedAtTheAliasWithoutExpandingIt() {
        // Ten levels of ten aliases: ten billion strings once expanded, in under a kilobyte.
        var yaml = new StringBuilder(Manifests.MINIMAL).append("      labels:\n        l0: &l0 lol\n");
        for (int level = 1; level <= 10; level++) {
            yaml.append("        l").append(level).append(": &l").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, "*l" + (level - 1)))).append("]\n");
        }
        ParseResult result = Manifests.PARSER.parse("shop.yaml", yaml.toString());
        assertEquals(List.of("shop.yaml:16:43: spec.services[0].labels.l6[5]: alias *l5: with its aliases expanded the"
                        + " file would exceed 2097152 nodes and characters (twice the largest file Berth reads);"
                        + " refused as an alias bomb"),
                result.errors().stream().map(ValidationError::toString).toList());
        assertTrue(result.resources().isEmpty());
    }

    @Test
    void theBudgetIsForTheWholeFileNotEachDocument() {
        // Each document repeats a 3000-character value 100 times (300,000 characters written out): fine alone,
        // but the seventh document takes the file past the limit.
        String value = "x".repeat(3000);
        var file = new StringBuilder();
        for (int document = 1; document <= 8; document++) {
            file.append("---\n").append(Manifests.MINIMAL.replace("name: web", "name: web" + document))
                    .append("      env:\n        V0: &v ").append(value).append('\n');
            for (int alias = 1; alias < 100; alias++) {
                file.append("        V").append(alias).append(": *v\n");
            }
        }
        ParseResult result = Manifests.PARSER.parse("shop.yaml", file.toString());
        assertEquals(6, result.resources().size(), () -> result.errors().toString());
        assertEquals(2, result.errors().size(), () -> result.errors().toString());
        result.errors().forEach(e -> assertTrue(e.message().endsWith("refused as an alias bomb"), e::toString));
    }
}
