package dev.berth.operator.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's cluster keyring, read from its key file again whenever the file changed (or the last read failed),
 * so a person who fixes or extends the key file sees stacks recover at their next retry, without a restart.
 * Looking costs one stat of the file.
 */
public final class OperatorKeyring {
    private static final Logger log = LoggerFactory.getLogger(OperatorKeyring.class);

    private final Optional<Path> file;
    private SecretKeyring keyring;
    private Stamp loadedAt;
    private String lastError;

    /** What tells a rewritten key file from the one already read. */
    private record Stamp(long modifiedNanos, long size, Object fileKey) {
    }

    public OperatorKeyring(Optional<Path> file) {
        this.file = Objects.requireNonNull(file);
    }

    /** Whether the operator was given a key file at all (without one, nothing can be decrypted). */
    public boolean hasKeyFile() {
        return file.isPresent();
    }

    /** Reads the file once now, so a bad key file is logged when the operator starts, not at the first Secret. */
    public void loadNow() {
        if (file.isEmpty()) {
            log.info("no secret key file (--secret-key-file or {}): stacks using Secrets are"
                    + " Degraded/SecretUndecryptable on this host", SecretKeySource.ENVIRONMENT);
            return;
        }
        try {
            current();
        } catch (SecretKeyException e) {
            // logged by current()
        }
    }

    /** The keyring as the key file says now. */
    public synchronized SecretKeyring current() throws SecretKeyException {
        if (file.isEmpty()) {
            throw new SecretKeyException("this operator has no secret key file (give it --secret-key-file FILE or set "
                    + SecretKeySource.ENVIRONMENT + ")");
        }
        Optional<Stamp> stamp = stamp(file.get());
        if (keyring != null && stamp.isPresent() && stamp.get().equals(loadedAt)) {
            return keyring;
        }
        try {
            SecretKeyring loaded = SecretKeyring.load(file.get());
            boolean changed = keyring == null || !loaded.keyIds().equals(keyring.keyIds());
            keyring = loaded;
            loadedAt = stamp.orElse(null);
            lastError = null;
            if (changed) {
                log.info("secret key file {}: key ids {} (newest {})", file.get(), loaded.keyIds(), loaded.newestKeyId());
            }
            return loaded;
        } catch (SecretKeyException e) {
            keyring = null;
            loadedAt = null;
            if (!e.getMessage().equals(lastError)) {
                log.warn("secret key file unusable: {}", e.getMessage());
                lastError = e.getMessage();
            }
            throw e;
        }
    }

    private static Optional<Stamp> stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new Stamp(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size(),
                    a.fileKey()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
