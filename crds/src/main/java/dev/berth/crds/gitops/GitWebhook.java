package dev.berth.crds.gitops;

/** The shared secret that signs push webhooks for this source, by reference: a file or an environment variable. */
public record GitWebhook(String secretFile, String secretEnv) {
}
