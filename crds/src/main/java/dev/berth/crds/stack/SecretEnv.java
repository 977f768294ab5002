package dev.berth.crds.stack;

import dev.berth.crds.secret.SecretKeyRef;

/**
 * An environment variable whose value is one key of a Secret. Weaker than a file: the value is visible to anyone
 * who can {@code docker inspect} the container, so files are preferred.
 */
public record SecretEnv(String name, SecretKeyRef secretKeyRef) {
}
