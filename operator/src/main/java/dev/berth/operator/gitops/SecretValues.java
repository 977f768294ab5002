package dev.berth.operator.gitops;

import dev.berth.crds.secret.SecretKeyRef;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.StoredObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One key of a Secret, read from the operator's cache of Secrets and decrypted with the cluster key, for a
 * GitSource's password or webhook secret. The value is returned to the caller and kept nowhere; every message
 * names the secret, the key and the key id, never the value.
 */
final class SecretValues {
    private final Function<String, Optional<StoredObject>> secrets;
    private final BooleanSupplier listed;
    private final OperatorKeyring keyring;

    /**
     * @param secrets the stored Secrets by name (the operator's informer)
     * @param listed  whether that informer has listed etcd once (before, a missing Secret proves nothing)
     * @param keyring the operator's keyring (one per operator: it reads the key file again only when it changed, so
     *                neither fetches nor unauthenticated webhook requests make it read and parse the file)
     */
    SecretValues(Function<String, Optional<StoredObject>> secrets, BooleanSupplier listed, OperatorKeyring keyring) {
        this.secrets = secrets;
        this.listed = listed;
        this.keyring = keyring;
    }

    /**
     * The keyring as the key file says now (a rotated key file counts at once); empty without a key file.
     *
     * @throws SecretKeyException the key file cannot be read or holds no valid key
     */
    Optional<SecretKeyring> keyring() throws SecretKeyException {
        if (!keyring.hasKeyFile()) {
            return Optional.empty();
        }
        return Optional.of(keyring.current());
    }

    /** The decrypted value of {@code ref}, stripped of surrounding white space (as a file's value is). */
    String read(SecretKeyRef ref, String what) throws GitSyncException {
        String where = what + ": secret/" + ref.name() + " key \"" + ref.key() + "\"";
        if (!listed.getAsBoolean()) {
            throw new GitSyncException("CredentialsUnavailable", where + ": Secrets not yet listed from etcd");
        }
        StoredObject object = secrets.apply(ref.name()).orElseThrow(() -> new GitSyncException(
                "CredentialsUnavailable", where + ": no such Secret"));
        if (object.resource().isEmpty()) {
            throw new GitSyncException("CredentialsUnavailable", where + ": the Secret is invalid ("
                    + object.errors().get(0) + ")");
        }
        SecretSpec spec = object.resource().get().spec(SecretSpec.class);
        if (spec.hasPlainValues()) {
            throw new GitSyncException("CredentialsUnavailable", where + ": the Secret holds plain stringData: write"
                    + " it with berth apply");
        }
        String envelope = spec.encryptedData().get(ref.key());
        if (envelope == null) {
            throw new GitSyncException("CredentialsUnavailable", where + ": the Secret has no such key (it has "
                    + String.join(", ", spec.encryptedData().keySet()) + ")");
        }
        SecretKeyring ring;
        try {
            ring = keyring().orElseThrow(() -> new SecretKeyException("the operator has no secret key file"
                    + " (--secret-key-file or BERTH_SECRET_KEY_FILE), so it cannot decrypt Secrets"));
        } catch (SecretKeyException e) {
            throw new GitSyncException("CredentialsUnavailable", where + ": " + e.getMessage());
        }
        try {
            return new String(ring.decrypt(ref.name(), ref.key(), envelope), StandardCharsets.UTF_8).strip();
        } catch (SecretKeyException e) {
            // The keyring's message names the secret, the key and the key id already.
            throw new GitSyncException("CredentialsUnavailable", what + ": " + e.getMessage());
        }
    }
}
