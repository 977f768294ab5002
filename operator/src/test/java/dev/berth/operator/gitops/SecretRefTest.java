package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.secret.SecretKeyRef;
import dev.berth.operator.Manifest;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of a secret reference at use, on real files and a real keyring (the Secret cache is a map). */
class SecretRefTest {
    private static final Map<String, String> ENV = Map.of("BERTH_SECRET_GIT_TOKEN", "token-value\n",
            "BERTH_ETCD_PASSWORD", "etcd-password");

    private static StoredObject secret(String name, String spec) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("s.yaml", Manifest.of("Secret", name, spec));
        assertTrue(parsed.ok(), parsed.errors().toString());
        return new StoredObject(Kinds.standard().byKind("Secret").orElseThrow(), name,
                new StoredValue("k", "v", 1, 1), Optional.of(parsed.resources().get(0)), List.of());
    }

    private static String message(SecretRef ref, String file, String env, SecretKeyRef secret) {
        return assertThrows(GitSyncException.class, () -> ref.read(file, env, secret, "credentials")).getMessage();
    }

    @Test
    void readsEachKindOfReferenceAndRefusesWhatIsOutOfBounds(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        SecretKeyring keyring = SecretKeyring.load(keyFile);
        String envelope = keyring.encrypt("git", "token", "from-a-secret\n".getBytes(StandardCharsets.UTF_8));
        Map<String, StoredObject> secrets = Map.of("git", secret("git", "encryptedData: {token: '" + envelope + "'}"),
                "plain", secret("plain", "stringData: {token: x}"));
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secretsDir.resolve("token"), "from-a-file\n");
        SecretRef ref = new SecretRef(secretsDir, ENV::get,
                new SecretValues(n -> Optional.ofNullable(secrets.get(n)), () -> true, new dev.berth.operator.secrets.OperatorKeyring(Optional.of(keyFile))));

        assertEquals(Optional.of("from-a-secret"), ref.read(null, null, new SecretKeyRef("git", "token"), "c"));
        assertEquals(Optional.of("from-a-file"), ref.read(secretsDir.resolve("token").toString(), null, null, "c"));
        assertEquals(Optional.of("token-value"), ref.read(null, "BERTH_SECRET_GIT_TOKEN", null, "c"));
        assertEquals(Optional.empty(), ref.read(null, null, null, "c"));

        String env = message(ref, null, "BERTH_ETCD_PASSWORD", null);
        assertTrue(env.contains("only read environment variables named BERTH_SECRET_"), env);
        assertFalse(env.contains("etcd-password"), env);
        assertTrue(message(ref, secretsDir.resolve("token").toString(), null, new SecretKeyRef("git", "token"))
                .contains("more than one source"));
        String plain = message(ref, null, null, new SecretKeyRef("plain", "token"));
        assertTrue(plain.contains("secret/plain key \"token\": the Secret holds plain stringData"), plain);
        String missing = message(ref, null, null, new SecretKeyRef("nope", "token"));
        assertTrue(missing.contains("secret/nope key \"token\": no such Secret"), missing);
        String escape = message(ref, secretsDir.resolve("../key").toString(), null, null);
        assertTrue(escape.contains("is outside the operator's --secrets-dir (" + secretsDir + ")"), escape);

        SecretRef noKey = new SecretRef(secretsDir, ENV::get,
                new SecretValues(n -> Optional.ofNullable(secrets.get(n)), () -> true, new dev.berth.operator.secrets.OperatorKeyring(Optional.empty())));
        String noKeyFile = message(noKey, null, null, new SecretKeyRef("git", "token"));
        assertTrue(noKeyFile.contains("secret/git key \"token\": the operator has no secret key file"), noKeyFile);
        SecretRef notListed = new SecretRef(secretsDir, ENV::get,
                new SecretValues(n -> Optional.empty(), () -> false, new dev.berth.operator.secrets.OperatorKeyring(Optional.of(keyFile))));
        assertTrue(message(notListed, null, null, new SecretKeyRef("git", "token")).contains("not yet listed"));
    }

    /** Fetches and webhook requests use the operator's keyring: the key file is parsed again only when it changed. */
    @Test
    void theKeyFileIsReadAgainOnlyWhenItChanged(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        String envelope = SecretKeyring.load(keyFile).encrypt("git", "token", "t".getBytes(StandardCharsets.UTF_8));
        Map<String, StoredObject> secrets = Map.of("git", secret("git", "encryptedData: {token: '" + envelope + "'}"));
        SecretValues values = new SecretValues(n -> Optional.ofNullable(secrets.get(n)), () -> true,
                new dev.berth.operator.secrets.OperatorKeyring(Optional.of(keyFile)));
        SecretKeyRef token = new SecretKeyRef("git", "token");
        assertEquals("t", values.read(token, "c"));

        // The same file as far as a stat tells (size, time, inode), but no key in it: not parsed again.
        var modified = Files.getLastModifiedTime(keyFile);
        long size = Files.size(keyFile);
        try (var out = java.nio.channels.FileChannel.open(keyFile, java.nio.file.StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(("#".repeat((int) size - 1) + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        Files.setLastModifiedTime(keyFile, modified);
        assertEquals("t", values.read(token, "c"));

        // Changed: read again, and without a key nothing decrypts.
        Files.setLastModifiedTime(keyFile, java.nio.file.attribute.FileTime.fromMillis(modified.toMillis() + 5000));
        assertThrows(GitSyncException.class, () -> values.read(token, "c"));
    }
}
