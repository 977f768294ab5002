package dev.berth.operator.secrets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an operator finds the cluster key and keeps the files it mounts into containers.
 *
 * @param keyFile    the cluster key file ({@code --secret-key-file} or {@code BERTH_SECRET_KEY_FILE}); without it no
 *                   Secret can be used on this host (stacks that need one are Degraded/SecretUndecryptable)
 * @param stateDir   the operator's own directory ({@code --state-dir}): Secret files on a tmpfs under
 *                   {@code secrets/}, Config files under {@code configs/}; the same path on the host and for dockerd
 * @param secretsDir the only directory a GitSource may name files in ({@code --secrets-dir}: passwords, ssh keys,
 *                   known_hosts, webhook secrets), so a manifest cannot make the operator read any file of its host
 * @param filesGrace how long files no container mounts are kept after they were last written or used
 *                   ({@link HostFiles#GRACE}; not a command-line option: tests shorten it to see files collected)
 */
public record SecretSettings(Optional<Path> keyFile, Path stateDir, Path secretsDir, Duration filesGrace) {
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/berth");
    public static final Path DEFAULT_SECRETS_DIR = Path.of("/etc/berth/secrets");

    public SecretSettings {
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(secretsDir, "secretsDir");
        Objects.requireNonNull(filesGrace, "filesGrace");
    }

    /** With the files' default grace. */
    public SecretSettings(Optional<Path> keyFile, Path stateDir, Path secretsDir) {
        this(keyFile, stateDir, secretsDir, HostFiles.GRACE);
    }

    public static SecretSettings defaults() {
        return new SecretSettings(Optional.empty(), DEFAULT_STATE_DIR, DEFAULT_SECRETS_DIR);
    }
}
