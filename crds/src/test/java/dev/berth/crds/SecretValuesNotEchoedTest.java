package dev.berth.crds;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Secret's values written in the wrong shape: the error points at them but never quotes them, because validation
 * errors go to stderr and into a GitSource's status in etcd.
 */
class SecretValuesNotEchoedTest {
    private static final String VALUE = "hunter2";

    private static String secret(String spec) {
        return "apiVersion: berth.dev/v1\nkind: Secret\nmetadata:\n  name: db\nspec:\n" + spec;
    }

    private static List<String> errors(String yaml) {
        List<String> errors = SecretManifestsTest.errors(yaml);
        assertFalse(errors.isEmpty(), "expected errors for:\n" + yaml);
        errors.forEach(e -> assertFalse(e.contains(VALUE) || e.contains("31337"), "value echoed: " + e));
        return errors;
    }

    @Test
    void aScalarWhereTheMapBelongs() {
        assertEquals(List.of("x.yaml:6:15: spec.stringData: expected a mapping, got a string"),
                errors(secret("  stringData: hunter2\n")));
        assertEquals(List.of("x.yaml:6:18: spec.encryptedData: expected a mapping, got a string"),
                errors(secret("  encryptedData: hunter2\n")));
    }

    @Test
    void aListHoldingAValue() {
        assertEquals(List.of("x.yaml:7:5: spec.stringData: expected a mapping, got a list"),
                errors(secret("  stringData:\n    - hunter2\n")));
        assertEquals(List.of("x.yaml:6:18: spec.encryptedData: expected a mapping, got a list"),
                errors(secret("  encryptedData: [hunter2]\n")));
        assertEquals(List.of("x.yaml:7:15: spec.stringData.password: expected a string, got a list"),
                errors(secret("  stringData:\n    password: [hunter2]\n")));
    }

    @Test
    void anInteger() {
        assertEquals(List.of("x.yaml:6:15: spec.stringData: expected a mapping, got an integer"),
                errors(secret("  stringData: 31337\n")));
        assertEquals(List.of("x.yaml:6:18: spec.encryptedData: expected a mapping, got an integer"),
                errors(secret("  encryptedData: 31337\n")));
        // An integer value is a string value: it binds, and is encrypted like any other.
        assertTrue(Manifests.PARSER.parse("x.yaml", secret("  stringData:\n    pin: 31337\n")).ok());
    }

    @Test
    void aNestedMapping() {
        assertEquals(List.of("x.yaml:8:7: spec.stringData.password: expected a string, got a mapping"),
                errors(secret("  stringData:\n    password:\n      inner: hunter2\n")));
        assertEquals(List.of("x.yaml:7:15: spec.encryptedData.password: expected a string, got a mapping"),
                errors(secret("  encryptedData:\n    password: {inner: hunter2}\n")));
    }

    @Test
    void aPlainValueInEncryptedData() {
        assertEquals(List.of("x.yaml:7:15: spec.encryptedData.password: the value does not match the pattern "
                        + "^berth:v1:[0-9a-f]{16}:[A-Za-z0-9+/=]+$"),
                errors(secret("  encryptedData:\n    password: hunter2\n")));
    }

    @Test
    void aDuplicateKeyNamesTheKeyOnly() {
        assertEquals(List.of("x.yaml:8:5: spec.stringData.password: duplicate key \"password\" (first at line 7)"),
                errors(secret("  stringData:\n    password: hunter2\n    password: hunter2x\n")));
    }

    @Test
    void yamlSyntaxErrorsInAValue() {
        // SnakeYAML's problem text names the kind of problem and at most one character; the source line is not
        // quoted (its snippet is dropped by YamlTree.oneLine).
        for (String spec : List.of(
                "  stringData:\n    password: \"hunter2\n",
                "  stringData:\n    password: \"hunter2\\q\"\n",
                "  stringData:\n    password: hunter2: x\n",
                "  stringData:\n    password: hunter2\n   bad: hunter2\n",
                "  stringData:\n    password: 'hunter2\n")) {
            List<String> errors = errors(secret(spec));
            assertTrue(errors.get(0).contains("YAML syntax error"), errors.toString());
        }
    }
}
