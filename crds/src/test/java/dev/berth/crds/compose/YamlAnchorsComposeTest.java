package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Anchors, aliases and merge keys in compose files, as YAML (and compose-go) reads them. */
class YamlAnchorsComposeTest {
    private final ComposeYamlReader reader = new ComposeYamlReader();

    private ComposeNode.Mapping read(String yaml) {
        return (ComposeNode.Mapping) reader.documents("compose.yaml", yaml).get(0);
    }

    private String error(String yaml) {
        return assertThrows(ComposeException.class, () -> reader.documents("compose.yaml", yaml)).problem().toString();
    }

    /** A mapping of scalars as key=text, in order. */
    private static String texts(ComposeNode node) {
        return ((ComposeNode.Mapping) node).entries().values().stream()
                .map(e -> e.key() + "=" + ((ComposeNode.Scalar) e.value()).text())
                .collect(Collectors.joining(","));
    }

    @Test
    void aScalarAliasIsTheAnchorsValueAtTheAliasesPlace() {
        ComposeNode.Mapping env = (ComposeNode.Mapping) read("env:\n  A: &v hello\n  B: *v\n").get("env");
        assertEquals("A=hello,B=hello", texts(env));
        ComposeNode b = env.get("B");
        assertEquals(List.of(3, 6), List.of(b.line(), b.column()));
        // A number stays a number through an alias.
        ComposeNode port = read("a: &p 8080\nb: *p\n").get("b");
        assertEquals(new ComposeNode.Scalar(2, 4, ComposeNode.ScalarType.NUMBER, "8080"), port);
    }

    @Test
    void mergeKeysWithAnchorsInsideTakeAMappingOrAListOfMappingsAndTheMappingsOwnKeysWin() {
        ComposeNode.Mapping root = read("""
                x-a: &a {image: a, restart: always, user: &root root}
                x-b: &b {image: b, hostname: b, user: nobody}
                one:
                  <<: *a
                  user: app
                  group: *root
                many:
                  user: app
                  <<: [*a, *b]
                inline:
                  <<: {image: c}
                """);
        assertEquals("image=a,restart=always,user=app,group=root", texts(root.get("one")));
        assertEquals("image=a,restart=always,hostname=b,user=app", texts(root.get("many")));
        assertEquals("image=c", texts(root.get("inline")));
    }

    @Test
    void anAnchorOnAKeyAndAnAliasAsAKey() {
        ComposeNode.Mapping root = read("&k name: web\nother: *k\nnested:\n  *k : again\n");
        assertEquals("name", ((ComposeNode.Scalar) root.get("other")).text());
        assertEquals("name=again", texts(root.get("nested")));
    }

    @Test
    void anAnchorOnTheFirstKeyOfAnAnchoredMappingAndOnAnEmptyValue() {
        // Jackson reports a mapping's anchor at its first key; both anchors must still be told apart.
        ComposeNode.Mapping root = read("m: &m {&k a: 1, b: *k}\nn: *m\ne: &e\nf: *e\n");
        assertEquals("a=1,b=a", texts(root.get("n")));
        assertEquals(ComposeNode.ScalarType.NULL, ((ComposeNode.Scalar) root.entries().get("f").value()).type());
    }

    @Test
    void anAliasToAMappingCannotBeAKey() {
        assertEquals("compose.yaml:2:1: alias *m is used as a key but names a mapping; a key is a string",
                error("a: &m {x: 1}\n*m : 2\n"));
    }

    @Test
    void anAliasBeforeItsAnchorIsAnErrorWithLineAndColumn() {
        assertEquals("compose.yaml:2:8: services.web: unknown alias *web: no anchor &web before it in this document",
                error("services:\n  web: *web\nx-web: &web {image: nginx}\n"));
    }

    @Test
    void duplicateKeysStayAnError() {
        assertEquals("compose.yaml:3:3: env.A: duplicate key \"A\" (first at line 2)", error("env:\n  A: 1\n  A: 2\n"));
    }

    @Test
    void anAliasBombIsRefusedAtTheAlias() {
        var yaml = new StringBuilder("x-0: &l0 [lol]\n");
        for (int level = 1; level <= 12; level++) {
            yaml.append("x-").append(level).append(": &l").append(level).append(" [")
                    .append(String.join(", ", Collections.nCopies(10, "*l" + (level - 1)))).append("]\n");
        }
        yaml.append("services: {web: {image: nginx, command: *l12}}\n");
        assertEquals("compose.yaml:7:26: x-6[3]: alias *l5: with its aliases expanded the file would exceed 2097152"
                + " nodes and characters (twice the largest file Berth reads); refused as an alias bomb",
                error(yaml.toString()));
    }

    @Test
    void aLongStringRepeatedByAliasesCountsItsCharacters() {
        String big = "x".repeat(100_000);
        String aliases = Collections.nCopies(25, "*big").stream().collect(Collectors.joining(", "));
        assertEquals("compose.yaml:2:122: many[19]: alias *big: with its aliases expanded the file would exceed"
                + " 2097152 nodes and characters (twice the largest file Berth reads); refused as an alias bomb",
                error("v: &big " + big + "\nmany: [" + aliases + "]\n"));
    }
}
