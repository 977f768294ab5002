package dev.berth.crds.gitops;

import dev.berth.crds.secret.SecretKeyRef;

/**
 * The shared secret that signs push webhooks for this source, by reference: a Secret key, a file (under the
 * operator's {@code --secrets-dir}) or an environment variable.
 */
public record GitWebhook(String secretFile, String secretEnv, SecretKeyRef secretRef) {
    /** Without a Secret reference. */
    public GitWebhook(String secretFile, String secretEnv) {
        this(secretFile, secretEnv, null);
    }
}
