package dev.berth.operator.secrets;

import java.util.Optional;

/** What can be told about an envelope without a key: which key sealed it and how long its plaintext is. */
public final class SecretEnvelopes {
    /** The 12-byte nonce and the 16-byte tag around the ciphertext (AES-GCM's ciphertext is as long as the text). */
    private static final int OVERHEAD = 28;

    private SecretEnvelopes() {
    }

    /** The plaintext length in bytes, from the base64 length alone; empty if the envelope is malformed. */
    public static Optional<Long> plaintextSize(String envelope) {
        Optional<String> id = SecretKeyring.keyIdOf(envelope);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        String b64 = envelope.substring(SecretKeyring.PREFIX.length() + id.get().length() + 1);
        if (b64.isEmpty() || b64.length() % 4 != 0) {
            return Optional.empty();
        }
        int padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
        long decoded = (long) b64.length() / 4 * 3 - padding;
        return decoded < OVERHEAD ? Optional.empty() : Optional.of(decoded - OVERHEAD);
    }
}
