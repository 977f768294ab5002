package dev.berth.crds;

import dev.berth.crds.secret.ConfigCheck;
import dev.berth.crds.secret.ConfigSpec;
import dev.berth.crds.secret.SecretCheck;
import dev.berth.crds.secret.SecretSpec;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secret and Config manifests: what binds, and every refused key and size at its line and column. */
class SecretManifestsTest {
    private static final String KEY_ID = "0123456789abcdef";

    static List<String> errors(String yaml) {
        return Manifests.PARSER.parse("x.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    /** An envelope whose base64 holds nonce, {@code plaintext} bytes of ciphertext and the tag. */
    static String envelope(int plaintext) {
        return "berth:v1:" + KEY_ID + ":" + Base64.getEncoder().encodeToString(new byte[12 + plaintext + 16]);
    }

    private static String secret(String spec) {
        return "apiVersion: berth.dev/v1\nkind: Secret\nmetadata:\n  name: db\nspec:\n" + spec;
    }

    private static String config(String spec) {
        return "apiVersion: berth.dev/v1\nkind: Config\nmetadata:\n  name: app\nspec:\n" + spec;
    }

    @Test
    void aSecretWithBothMapsBindsIntoTheRecord() {
        ParseResult result = Manifests.PARSER.parse("x.yaml", secret("""
                  encryptedData:
                    password: %s
                  stringData:
                    user: admin
                    tls.key: |
                      -----BEGIN PRIVATE KEY-----
                """.formatted(envelope(10))));
        assertTrue(result.ok(), result.errors().toString());
        SecretSpec spec = result.resources().get(0).spec(SecretSpec.class);
        assertEquals(SecretSpec.OPAQUE, spec.type());
        assertEquals(List.of("password", "tls.key", "user"), List.copyOf(spec.keys()));
        assertEquals(Map.of("user", "admin", "tls.key", "-----BEGIN PRIVATE KEY-----\n"), spec.stringData());
        assertEquals(envelope(10), spec.encryptedData().get("password"));
        assertTrue(spec.hasPlainValues());
    }

    @Test
    void aConfigBindsIntoTheRecord() {
        ParseResult result = Manifests.PARSER.parse("x.yaml", config("""
                  data:
                    nginx.conf: |
                      server { listen 80; }
                    PORT: 8080
                """));
        assertTrue(result.ok(), result.errors().toString());
        ConfigSpec spec = result.resources().get(0).spec(ConfigSpec.class);
        assertEquals(Map.of("nginx.conf", "server { listen 80; }\n", "PORT", "8080"), spec.data());
    }

    @Test
    void keysAreFileNames() {
        assertEquals(List.of(
                "x.yaml:8:5: spec.stringData.a/b: key \"a/b\" may hold only letters, digits, '-', '_' and '.' (it is a file name)",
                "x.yaml:9:5: spec.stringData..: key \".\" is not a file name",
                "x.yaml:10:5: spec.stringData...: key \"..\" is not a file name",
                "x.yaml:11:5: spec.stringData.\"\": a key must not be empty",
                "x.yaml:12:5: spec.stringData.ö: key \"ö\" may hold only letters, digits, '-', '_' and '.' (it is a file name)",
                "x.yaml:13:5: spec.stringData." + "k".repeat(254) + ": key is 254 characters long; the limit is 253"),
                errors(secret("""
                          stringData:
                            ok-1_x.Y: fine
                            a/b: x
                            ".": x
                            "..": x
                            "": x
                            ö: x
                            %s: x
                            %s: at the limit
                        """.formatted("k".repeat(254), "k".repeat(253)))));
    }

    @Test
    void encryptedKeysFollowTheSameRule() {
        assertEquals(List.of("x.yaml:8:5: spec.encryptedData.db password: key \"db password\" may hold only letters, "
                        + "digits, '-', '_' and '.' (it is a file name)"),
                errors(secret("  encryptedData:\n    ok: " + envelope(1) + "\n    db password: " + envelope(1) + "\n")));
    }

    @Test
    void aKeyInBothMapsIsRefusedAtItsPlainCopy() {
        assertEquals(List.of("x.yaml:9:5: spec.stringData.password: key \"password\" is also in encryptedData "
                        + "(line 7); a key has one value"),
                errors(secret("  encryptedData:\n    password: " + envelope(3) + "\n  stringData:\n    password: new\n")));
    }

    @Test
    void aSecretNeedsAKey() {
        assertEquals(List.of("x.yaml:6:3: spec: a Secret needs at least one key, in stringData (plain text that "
                + "berth apply encrypts) or encryptedData"), errors(secret("  stringData: {}\n")));
        assertEquals(List.of("x.yaml:5:7: spec: a Secret needs at least one key, in stringData (plain text that "
                + "berth apply encrypts) or encryptedData"), errors(secret("").replace("spec:\n", "spec: {}\n")));
    }

    @Test
    void aPlainValueOverTheLimitIsRefusedAtTheValueCountingUtf8Bytes() {
        // 256,001 characters of two bytes each: under the limit in characters, over it in bytes.
        String value = "é".repeat(SecretSpec.MAX_VALUE_BYTES / 2 + 1);
        assertEquals(List.of("x.yaml:8:10: spec.stringData.big: value is 512002 bytes; the limit is 512000 bytes "
                        + "(500 KiB) per key"),
                errors(secret("  stringData:\n    small: x\n    big: " + value + "\n")));
        assertEquals(List.of(), errors(secret("  stringData:\n    big: " + "x".repeat(SecretSpec.MAX_VALUE_BYTES) + "\n")));
    }

    @Test
    void anEnvelopeOverTheLimitIsRefusedByItsLength() {
        assertEquals(List.of("x.yaml:7:10: spec.encryptedData.big: the encrypted value holds 512001 bytes; the "
                        + "limit is 512000 bytes (500 KiB) per key"),
                errors(secret("  encryptedData:\n    big: " + envelope(SecretSpec.MAX_VALUE_BYTES + 1) + "\n")));
        assertEquals(List.of(), errors(secret("  encryptedData:\n    big: " + envelope(SecretSpec.MAX_VALUE_BYTES) + "\n")));
    }

    @Test
    void aBrokenEnvelopeIsRefused() {
        String message = "not an encrypted value: the base64 after the key id is broken or too short to hold a "
                + "nonce and tag (write it with berth create secret)";
        assertEquals(List.of("x.yaml:7:12: spec.encryptedData.short: " + message,
                        "x.yaml:8:13: spec.encryptedData.broken: " + message),
                errors(secret("  encryptedData:\n    short: berth:v1:" + KEY_ID + ":AAAA\n"
                        + "    broken: berth:v1:" + KEY_ID + ":A=B\n")));
        // Not an envelope at all: the schema's pattern refuses it (its message is the schema's, not checked here).
        List<String> plain = errors(secret("  encryptedData:\n    bad: plain\n"));
        assertEquals(1, plain.size());
        assertTrue(plain.get(0).startsWith("x.yaml:7:10: spec.encryptedData.bad: "), plain.toString());
    }

    @Test
    void aSecretTooLargeOnceEncryptedIsRefused() {
        // 800 KiB of plain text is under 1 MiB, but etcd would hold about 1.07 MiB of envelopes.
        String value = "x".repeat(400 * 1024);
        assertEquals(List.of("x.yaml:6:3: spec: the values take 1092398 bytes encrypted (encryption adds about a "
                        + "third); the limit for one Secret is 1048576 bytes (1 MiB): split it into several Secrets"),
                errors(secret("  stringData:\n    a: " + value + "\n    b: " + value + "\n")));
    }

    @Test
    void configKeysAndValuesFollowTheSameRules() {
        assertEquals(List.of(
                "x.yaml:7:5: spec.data.../x: key \"../x\" may hold only letters, digits, '-', '_' and '.' (it is a file name)",
                "x.yaml:8:10: spec.data.big: value is 512001 bytes; the limit is 512000 bytes (500 KiB) per key"),
                errors(config("  data:\n    ../x: a\n    big: " + "x".repeat(SecretSpec.MAX_VALUE_BYTES + 1) + "\n")));
        assertEquals(List.of("x.yaml:6:9: spec.data: a Config needs at least one key (a file name) with its content"),
                errors(config("  data: {}\n")));
    }

    @Test
    void aConfigOverOneMebibyteIsRefused() {
        // A manifest file is at most 1 MiB, so only a Config built in code (by the CLI) gets this far: check directly.
        String yaml = config("  data:\n    a: x\n");
        Problems problems = new Problems("x.yaml");
        YamlNode root = new YamlTreeReader().read(yaml, 0, "", problems).orElseThrow();
        String value = "x".repeat(SecretSpec.MAX_VALUE_BYTES);
        ConfigSpec spec = new ConfigSpec(Map.of("a", value, "b", value, "c", "x".repeat(30 * 1024)));
        new ConfigCheck().check(spec, new CheckContext(root, problems));
        assertEquals(List.of("x.yaml:7:5: spec.data: the files take 1054723 bytes; the limit for one Config is "
                + "1048576 bytes (1 MiB): split it into several Configs"), problems.sorted().stream()
                .map(ValidationError::toString).toList());
        // And the same for a Secret's envelopes, which is what etcd stores.
        Problems secretProblems = new Problems("x.yaml");
        SecretSpec big = new SecretSpec(null, Map.of("a", envelope(400 * 1024), "b", envelope(400 * 1024)), null);
        new SecretCheck().check(big, new CheckContext(root, secretProblems));
        assertEquals(1, secretProblems.count());
    }
}
