package dev.berth.crds.secret;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The rules every Secret and Config key and value keeps, in one place for the checks at apply and for the CLI that
 * builds objects from files. Keys become file names on the host and in the container, so they are restricted to
 * what is a safe single path segment.
 */
public final class DataRules {
    /** Letters, digits, '-', '_' and '.', as Kubernetes allows for Secret and ConfigMap keys. */
    public static final Pattern KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
    public static final int MAX_KEY_LENGTH = 253;
    /**
     * The whole data of one object as etcd stores it (keys plus values; a Secret's values encrypted, which makes
     * them about a third larger). etcd refuses requests over 1.5 MiB, and Berth reads no stored object over 1 MiB.
     */
    public static final int MAX_TOTAL_BYTES = 1024 * 1024;
    /** {@code berth:v1:<16 hex>:}: the part of an envelope before its base64. */
    static final int ENVELOPE_PREFIX_LENGTH = "berth:v1:".length() + 16 + 1;
    /** AES-GCM's 12-byte nonce and 16-byte tag, around the ciphertext (which is as long as the plain text). */
    public static final int ENVELOPE_OVERHEAD_BYTES = 12 + 16;

    private DataRules() {
    }

    /** What is wrong with {@code key} as a data key, or empty when it is fine. */
    public static Optional<String> keyProblem(String key) {
        if (key.isEmpty()) {
            return Optional.of("a key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            return Optional.of("key is " + key.length() + " characters long; the limit is " + MAX_KEY_LENGTH);
        }
        if (key.equals(".") || key.equals("..")) {
            return Optional.of("key \"" + key + "\" is not a file name");
        }
        if (!KEY.matcher(key).matches()) {
            return Optional.of("key \"" + key + "\" may hold only letters, digits, '-', '_' and '.' (it is a file name)");
        }
        return Optional.empty();
    }

    public static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The length of the plain text inside an envelope ({@code berth:v1:<key id>:<base64>}), known without the key:
     * the decoded bytes less nonce and tag. Empty when the base64 is broken or too short to hold nonce and tag.
     */
    public static OptionalInt plaintextLength(String envelope) {
        if (envelope.length() < ENVELOPE_PREFIX_LENGTH) {
            return OptionalInt.empty();
        }
        try {
            int decoded = Base64.getDecoder().decode(envelope.substring(ENVELOPE_PREFIX_LENGTH)).length;
            return decoded < ENVELOPE_OVERHEAD_BYTES ? OptionalInt.empty()
                    : OptionalInt.of(decoded - ENVELOPE_OVERHEAD_BYTES);
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    /** How long the envelope of a plain value of {@code plaintextBytes} bytes is: what etcd will store for it. */
    public static long envelopeLength(long plaintextBytes) {
        long sealed = plaintextBytes + ENVELOPE_OVERHEAD_BYTES;
        return ENVELOPE_PREFIX_LENGTH + 4 * ((sealed + 2) / 3);
    }

    /** "512000 bytes (500 KiB)": exact, and readable. */
    static String bytes(long n) {
        if (n >= 1024 * 1024 && n % (1024 * 1024) == 0) {
            return n + " bytes (" + n / (1024 * 1024) + " MiB)";
        }
        if (n >= 1024 && n % 1024 == 0) {
            return n + " bytes (" + n / 1024 + " KiB)";
        }
        return n + " bytes";
    }
}
