package dev.berth.crds.gitops;

/**
 * How to authenticate to the repository, by reference only. Over https: the password or token is read at sync
 * time from {@code passwordFile} or the environment variable {@code passwordEnv} of the operator process, and is
 * never stored in etcd or logged; {@code username} is not a secret (default {@code git}). Over ssh: the private
 * key in {@code sshKeyFile}, and the server's host key must be listed in {@code knownHostsFile} (an unknown or
 * changed host key is refused, never trusted on first use).
 */
public record GitCredentials(String username, String passwordFile, String passwordEnv, String sshKeyFile,
                             String knownHostsFile) {
    /** https credentials only. */
    public GitCredentials(String username, String passwordFile, String passwordEnv) {
        this(username, passwordFile, passwordEnv, null, null);
    }
}
