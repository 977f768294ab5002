package dev.berth.crds.gitops;

import dev.berth.crds.secret.SecretKeyRef;

/**
 * How to authenticate to the repository, by reference only. Over https: the password or token is read at sync
 * time from the Secret key {@code passwordSecretRef}, or from {@code passwordFile} (under the operator's
 * {@code --secrets-dir}) or the environment variable {@code passwordEnv} of the operator process; it is never
 * stored in clear in etcd or logged; {@code username} is not a secret (default {@code git}). Over ssh: the private
 * key in {@code sshKeyFile}, and the server's host key must be listed in {@code knownHostsFile} (an unknown or
 * changed host key is refused, never trusted on first use).
 */
public record GitCredentials(String username, String passwordFile, String passwordEnv, String sshKeyFile,
                             String knownHostsFile, SecretKeyRef passwordSecretRef) {
    /** Without a Secret reference. */
    public GitCredentials(String username, String passwordFile, String passwordEnv, String sshKeyFile,
                          String knownHostsFile) {
        this(username, passwordFile, passwordEnv, sshKeyFile, knownHostsFile, null);
    }

    /** https credentials only. */
    public GitCredentials(String username, String passwordFile, String passwordEnv) {
        this(username, passwordFile, passwordEnv, null, null, null);
    }
}
