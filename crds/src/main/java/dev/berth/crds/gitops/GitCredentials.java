package dev.berth.crds.gitops;

/**
 * How to authenticate to the repository over https, by reference only: the password or token is read at sync
 * time from {@code passwordFile} or the environment variable {@code passwordEnv} of the operator process, and is
 * never stored in etcd or logged. {@code username} is not a secret (default {@code git}).
 */
public record GitCredentials(String username, String passwordFile, String passwordEnv) {
}
