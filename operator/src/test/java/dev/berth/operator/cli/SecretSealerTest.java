package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretKeyring;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** apply's sealing of Secrets, without etcd (pure: parser and keyring only). */
class SecretSealerTest {
    private final ManifestParser parser = new ManifestParser(Kinds.standard());
    private final SecretKeyring keyring = SecretKeyring.of(List.of(Base64.getDecoder().decode(SecretKeyring.newKeyLine())));

    private List<Resource> parse(String yaml) {
        ParseResult parsed = parser.parse("m.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        assertTrue(parsed.ok(), parsed.errors().toString());
        return parsed.resources();
    }

    private static final String PLAIN = """
            # comment with s3cr3t-value
            apiVersion: berth.dev/v1
            kind: Secret
            metadata:
              name: db
              annotations: {owner: ops}
            spec:
              stringData:
                password: s3cr3t-value
                user: app
            """;

    @Test
    void stringDataBecomesEncryptedDataAndNoPlainTextRemains() throws Exception {
        SecretSealer.Sealed sealed = SecretSealer.seal(parse(PLAIN), Optional.of(keyring));
        assertTrue(sealed.ok(), sealed.errors().toString());
        Resource secret = sealed.resources().get(0);
        assertFalse(secret.yaml().contains("s3cr3t-value"), secret.yaml());
        assertFalse(secret.yaml().contains("stringData"), secret.yaml());
        assertFalse(secret.spec(SecretSpec.class).hasPlainValues());
        assertEquals("m.yaml", secret.file());
        assertEquals(1, secret.line(), "errors found later still point at the document");
        // The stored text parses to the same object the store compares.
        Resource reparsed = parse(secret.yaml()).get(0);
        assertEquals(secret.canonicalJson(), reparsed.canonicalJson());
        assertEquals(Map.of("owner", "ops"), reparsed.metadata().annotations());
        assertEquals("s3cr3t-value", new String(keyring.decrypt("db", "password",
                reparsed.spec(SecretSpec.class).encryptedData().get("password")), StandardCharsets.UTF_8));
    }

    @Test
    void withoutAKeyStringDataIsAnErrorAtItsPosition() {
        SecretSealer.Sealed sealed = SecretSealer.seal(parse(PLAIN), Optional.empty());
        assertEquals(1, sealed.errors().size());
        String error = sealed.errors().get(0).toString();
        assertTrue(error.startsWith("m.yaml:9:5: spec.stringData: secret/db has plain values"), error);
        assertFalse(error.contains("s3cr3t-value"), error);
    }

    @Test
    void otherKindsAndEncryptedSecretsWithoutAKeyPassAsTheyAre() {
        String yaml = """
                apiVersion: berth.dev/v1
                kind: Config
                metadata: {name: c}
                spec:
                  data: {a: b}
                ---
                apiVersion: berth.dev/v1
                kind: Secret
                metadata: {name: s}
                spec:
                  encryptedData:
                    k: %s
                """.formatted(keyring.encrypt("s", "k", new byte[] {1}));
        List<Resource> resources = parse(yaml);
        SecretSealer.Sealed sealed = SecretSealer.seal(resources, Optional.empty());
        assertTrue(sealed.ok());
        assertSame(resources.get(0), sealed.resources().get(0));
        assertSame(resources.get(1), sealed.resources().get(1));
        assertTrue(SecretSealer.seal(resources, Optional.of(keyring)).ok(), "its envelope decrypts");
        SecretKeyring other = SecretKeyring.of(List.of(Base64.getDecoder().decode(SecretKeyring.newKeyLine())));
        String error = SecretSealer.seal(resources, Optional.of(other)).errors().get(0).toString();
        assertTrue(error.startsWith("m.yaml:12:8: spec.encryptedData.k: secret/s key \"k\" was encrypted with key "
                + keyring.newestKeyId()), error);
    }
}
