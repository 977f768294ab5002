package dev.berth.operator.gitops;

import dev.berth.crds.FieldLocator;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeyring;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules for Secrets in a repository. Plain values ({@code stringData}) are refused: whatever is pushed to git
 * stays in its history and in every clone. The encrypted form ({@code encryptedData}, as {@code berth create secret
 * ... --dry-run -o yaml} prints it) is applied only when every value decrypts with the operator's key, so a value
 * encrypted for another Secret name or data key, or with another cluster's key, fails the sync at its line rather
 * than a stack later. Without a key file nothing can be checked, and the Secret is refused too.
 */
final class CommittedSecrets {
    /** What the commit's Secrets break; {@code plain} wins as the sync's reason. */
    record Problems(List<ValidationError> plain, List<ValidationError> undecryptable) {
        boolean ok() {
            return plain.isEmpty() && undecryptable.isEmpty();
        }

        List<ValidationError> all() {
            List<ValidationError> all = new ArrayList<>(plain);
            all.addAll(undecryptable);
            return all;
        }

        String reason() {
            return plain.isEmpty() ? "SecretUndecryptable" : "InvalidManifests";
        }
    }

    private CommittedSecrets() {
    }

    static Problems check(List<Resource> resources, SecretValues secrets) {
        List<ValidationError> plain = new ArrayList<>();
        List<ValidationError> undecryptable = new ArrayList<>();
        Optional<SecretKeyring> keyring = Optional.empty();
        String noKeyring = null;
        boolean keyringRead = false;
        for (Resource r : resources) {
            if (!(r.spec() instanceof SecretSpec spec)) {
                continue;
            }
            FieldLocator at = FieldLocator.of(r);
            if (spec.hasPlainValues()) {
                plain.add(at.at("spec.stringData", "a Secret in git must not hold plain values (stringData): encrypt"
                        + " it with `berth create secret " + r.metadata().name() + " ... --dry-run -o yaml` and commit"
                        + " the encryptedData instead (and treat the value as leaked: it is in the history)"));
            }
            if (spec.encryptedData().isEmpty()) {
                continue;
            }
            if (!keyringRead) {
                keyringRead = true;
                try {
                    keyring = secrets.keyring();
                    if (keyring.isEmpty()) {
                        noKeyring = "the operator has no secret key file (--secret-key-file or BERTH_SECRET_KEY_FILE),"
                                + " so it cannot check that this Secret decrypts; it applies none unchecked";
                    }
                } catch (SecretKeyException e) {
                    noKeyring = e.getMessage() + "; the Secret cannot be checked, so it is not applied";
                }
            }
            if (keyring.isEmpty()) {
                undecryptable.add(at.at("spec.encryptedData", noKeyring));
                continue;
            }
            for (Map.Entry<String, String> e : spec.encryptedData().entrySet()) {
                try {
                    keyring.get().decrypt(r.metadata().name(), e.getKey(), e.getValue());
                } catch (SecretKeyException ex) {
                    undecryptable.add(at.at("spec.encryptedData." + e.getKey(), ex.getMessage()));
                }
            }
        }
        return new Problems(plain, undecryptable);
    }
}
