package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeyringTest {
    private static final byte[] VALUE = "hunter2-correct-horse".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void aValueSealedForOneSecretAndKeyOpensOnlyThere() throws Exception {
        SecretKeyring ring = SecretKeyring.load(keyFile("one", SecretKeyring.newKeyLine()));
        String envelope = ring.encrypt("db", "password", VALUE);

        assertTrue(envelope.startsWith("berth:v1:" + ring.newestKeyId() + ":"), envelope);
        assertFalse(envelope.contains("hunter2"));
        assertArrayEquals(VALUE, ring.decrypt("db", "password", envelope));
        assertNotEquals(envelope, ring.encrypt("db", "password", VALUE), "a fresh nonce every time");

        var otherSecret = assertThrows(SecretKeyException.class, () -> ring.decrypt("web", "password", envelope));
        assertTrue(otherSecret.getMessage().contains("encrypted for another secret name or key"), otherSecret.getMessage());
        assertThrows(SecretKeyException.class, () -> ring.decrypt("db", "user", envelope));
    }

    @Test
    void theNewestKeyEncryptsAndEveryListedKeyDecrypts() throws Exception {
        String oldLine = SecretKeyring.newKeyLine();
        SecretKeyring old = SecretKeyring.load(keyFile("old", oldLine));
        String sealedWithOld = old.encrypt("db", "password", VALUE);

        SecretKeyring both = SecretKeyring.load(keyFile("both", "# rotated on 2026-12-02\n" + oldLine + "\n"
                + SecretKeyring.newKeyLine() + "\n"));
        assertEquals(2, both.keyIds().size());
        assertNotEquals(old.newestKeyId(), both.newestKeyId());
        assertArrayEquals(VALUE, both.decrypt("db", "password", sealedWithOld));
        assertEquals(both.newestKeyId(), SecretKeyring.keyIdOf(both.encrypt("db", "password", VALUE)).orElseThrow());
    }

    @Test
    void aMissingKeyIsNamedByIdAndTheValueNeverAppears() throws Exception {
        SecretKeyring writer = SecretKeyring.load(keyFile("a", SecretKeyring.newKeyLine()));
        SecretKeyring reader = SecretKeyring.load(keyFile("b", SecretKeyring.newKeyLine()));
        String envelope = writer.encrypt("db", "password", VALUE);

        var e = assertThrows(SecretKeyException.class, () -> reader.decrypt("db", "password", envelope));
        assertTrue(e.getMessage().contains(writer.newestKeyId()), e.getMessage());
        assertTrue(e.getMessage().contains("not in the secret key file"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }

    @Test
    void aChangedCiphertextIsRefused() throws Exception {
        SecretKeyring ring = SecretKeyring.load(keyFile("one", SecretKeyring.newKeyLine()));
        String envelope = ring.encrypt("db", "password", VALUE);
        String prefix = envelope.substring(0, envelope.lastIndexOf(':') + 1);
        byte[] raw = Base64.getDecoder().decode(envelope.substring(prefix.length()));
        raw[raw.length - 1] ^= 1;
        String tampered = prefix + Base64.getEncoder().encodeToString(raw);

        assertThrows(SecretKeyException.class, () -> ring.decrypt("db", "password", tampered));
        assertThrows(SecretKeyException.class, () -> ring.decrypt("db", "password", "plain text"));
    }

    @Test
    void badKeyFilesSayWhereAndWhatWasExpected() throws Exception {
        var notBase64 = assertThrows(SecretKeyException.class, () -> SecretKeyring.load(keyFile("x", "# ok\nnot base64!\n")));
        assertTrue(notBase64.getMessage().endsWith(":2: not a base64 key (expected 32 random bytes in base64, as"
                + " `berth secrets new-key` prints)"), notBase64.getMessage());
        var shortKey = assertThrows(SecretKeyException.class, () -> SecretKeyring.load(keyFile("y",
                Base64.getEncoder().encodeToString(new byte[16]))));
        assertTrue(shortKey.getMessage().contains("a key must be 32 bytes, this one has 16"), shortKey.getMessage());
        var empty = assertThrows(SecretKeyException.class, () -> SecretKeyring.load(keyFile("z", "# nothing\n")));
        assertTrue(empty.getMessage().contains("holds no key"), empty.getMessage());
        var missing = assertThrows(SecretKeyException.class, () -> SecretKeyring.load(dir.resolve("absent")));
        assertTrue(missing.getMessage().startsWith("cannot read the secret key file"), missing.getMessage());
    }

    @Test
    void theKeyFileComesFromTheOptionElseTheEnvironmentElseAnErrorSaysHow() throws Exception {
        Path option = keyFile("opt", SecretKeyring.newKeyLine());
        Path env = keyFile("env", SecretKeyring.newKeyLine());
        assertEquals(option, SecretKeySource.file(option, Map.of(SecretKeySource.ENVIRONMENT, env.toString())).orElseThrow());
        assertEquals(env, SecretKeySource.file(null, Map.of(SecretKeySource.ENVIRONMENT, env.toString())).orElseThrow());
        var none = assertThrows(SecretKeyException.class, () -> SecretKeySource.load(null, Map.of()));
        assertTrue(none.getMessage().contains("--secret-key-file"), none.getMessage());
    }

    private Path keyFile(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
