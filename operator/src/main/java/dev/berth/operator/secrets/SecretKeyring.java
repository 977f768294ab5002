package dev.berth.operator.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's secret keys: the newest encrypts, any decrypts (rotation without a flag day).
 *
 * <p>A key file holds one key per line, base64 of 32 random bytes, oldest first; {@code #} starts a comment. A key is
 * known by its id, the first 8 bytes of SHA-256 of the key in hex, which is safe to print. An envelope is
 * {@code berth:v1:<key id>:<base64 of 12-byte nonce + ciphertext + 16-byte tag>}; the secret's name and the data key
 * are the associated data, so a value copied to another secret or key does not decrypt.
 */
public final class SecretKeyring {
    public static final String PREFIX = "berth:v1:";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, byte[]> keysById;
    private final String newestId;
    private final SecureRandom random;

    private SecretKeyring(Map<String, byte[]> keysById, String newestId, SecureRandom random) {
        this.keysById = keysById;
        this.newestId = newestId;
        this.random = random;
    }

    /** Reads a key file; the error names the file and line, never a key. */
    public static SecretKeyring load(Path file) throws SecretKeyException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new SecretKeyException("cannot read the secret key file " + file + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        var keys = new LinkedHashMap<String, byte[]>();
        String newest = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException e) {
                throw new SecretKeyException(file + ":" + (i + 1) + ": not a base64 key (expected 32 random bytes in"
                        + " base64, as `berth secrets new-key` prints)");
            }
            if (key.length != KEY_BYTES) {
                throw new SecretKeyException(file + ":" + (i + 1) + ": a key must be 32 bytes, this one has "
                        + key.length);
            }
            newest = idOf(key);
            keys.remove(newest); // the same key listed again counts where it was last listed
            keys.put(newest, key);
        }
        if (newest == null) {
            throw new SecretKeyException("the secret key file " + file + " holds no key");
        }
        return new SecretKeyring(Map.copyOf(keys), newest, new SecureRandom());
    }

    /** A keyring from raw keys, oldest first (tests and key generation). */
    public static SecretKeyring of(List<byte[]> keysOldestFirst) {
        var keys = new LinkedHashMap<String, byte[]>();
        String newest = null;
        for (byte[] key : keysOldestFirst) {
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException("a key must be 32 bytes");
            }
            newest = idOf(key);
            keys.put(newest, key.clone());
        }
        if (newest == null) {
            throw new IllegalArgumentException("no key");
        }
        return new SecretKeyring(Map.copyOf(keys), newest, new SecureRandom());
    }

    /** A new key as a key-file line (base64 of 32 random bytes). */
    public static String newKeyLine() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public String newestKeyId() {
        return newestId;
    }

    public List<String> keyIds() {
        return new ArrayList<>(keysById.keySet());
    }

    /** The id of the key that sealed an envelope, if it has the envelope's shape. */
    public static Optional<String> keyIdOf(String envelope) {
        if (envelope == null || !envelope.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int colon = envelope.indexOf(':', PREFIX.length());
        return colon < 0 ? Optional.empty() : Optional.of(envelope.substring(PREFIX.length(), colon));
    }

    /** Seals one value of secret {@code secret} under data key {@code key} with the newest key. */
    public String encrypt(String secret, String key, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keysById.get(newestId), nonce, secret, key);
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + newestId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * Opens one value. Fails with a message that says which key id is missing or that the value was not made for
     * this secret and key (or was changed), never with any part of the value.
     */
    public byte[] decrypt(String secret, String key, String envelope) throws SecretKeyException {
        String id = keyIdOf(envelope).orElseThrow(() -> new SecretKeyException("secret/" + secret + " key \"" + key
                + "\": not an encrypted value (expected " + PREFIX + "<key id>:<base64>)"));
        byte[] keyBytes = keysById.get(id);
        if (keyBytes == null) {
            throw new SecretKeyException("secret/" + secret + " key \"" + key + "\" was encrypted with key " + id
                    + ", which is not in the secret key file (it has " + String.join(", ", keysById.keySet()) + ")");
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(envelope.substring(PREFIX.length() + id.length() + 1));
        } catch (IllegalArgumentException e) {
            throw new SecretKeyException("secret/" + secret + " key \"" + key + "\": the encrypted value is not base64");
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretKeyException("secret/" + secret + " key \"" + key + "\": the encrypted value is too short");
        }
        byte[] nonce = java.util.Arrays.copyOfRange(all, 0, NONCE_BYTES);
        try {
            return cipher(Cipher.DECRYPT_MODE, keyBytes, nonce, secret, key).doFinal(all, NONCE_BYTES,
                    all.length - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new SecretKeyException("secret/" + secret + " key \"" + key + "\" does not decrypt with key " + id
                    + ": it was changed, or encrypted for another secret name or key");
        } catch (GeneralSecurityException e) {
            throw new SecretKeyException("secret/" + secret + " key \"" + key + "\" does not decrypt with key " + id
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce, String secret, String dataKey)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(("berth secret " + secret + "/" + dataKey).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static String idOf(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }
}
