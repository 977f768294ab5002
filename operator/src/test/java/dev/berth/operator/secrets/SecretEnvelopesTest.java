package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.secret.SecretSpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sizes from envelopes without a key, and the data key rules (pure). */
class SecretEnvelopesTest {
    private final SecretKeyring keyring = SecretKeyring.of(List.of(Base64.getDecoder().decode(SecretKeyring.newKeyLine())));

    @Test
    void plaintextSizeIsReadFromTheEnvelopeLengthForEveryPadding() {
        for (int n = 0; n <= 70; n++) {
            String envelope = keyring.encrypt("s", "k", new byte[n]);
            assertEquals(Optional.of((long) n), SecretEnvelopes.plaintextSize(envelope), "length " + n);
        }
    }

    @Test
    void malformedEnvelopesHaveNoSize() {
        assertEquals(Optional.empty(), SecretEnvelopes.plaintextSize("plain text"));
        assertEquals(Optional.empty(), SecretEnvelopes.plaintextSize("berth:v1:0123456789abcdef:"));
        assertEquals(Optional.empty(), SecretEnvelopes.plaintextSize("berth:v1:0123456789abcdef:abc"));
        assertEquals(Optional.empty(), SecretEnvelopes.plaintextSize("berth:v1:0123456789abcdef:AAAA"), "shorter than nonce + tag");
    }

    @Test
    void dataKeysAreFileNames() {
        for (String good : List.of("password", "tls.crt", "a-b_c.d", "A1", ".hidden", "x".repeat(253))) {
            assertEquals(Optional.empty(), SecretDataKeys.problem(good), good);
        }
        for (String bad : List.of("", ".", "..", "a/b", "a b", "ä", "x".repeat(254), "a=b")) {
            assertTrue(SecretDataKeys.problem(bad).isPresent(), bad);
        }
        assertEquals(Optional.empty(), SecretDataKeys.sizeProblem("k", SecretSpec.MAX_VALUE_BYTES));
        assertTrue(SecretDataKeys.sizeProblem("k", SecretSpec.MAX_VALUE_BYTES + 1L).orElseThrow().contains("\"k\""));
    }
}
