package dev.berth.operator.cli;

import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeySource;
import dev.berth.operator.secrets.SecretKeyring;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The cluster key file for commands that encrypt or check Secrets: a path, never the key itself. */
public final class SecretKeyOption {
    @Option(names = "--secret-key-file", paramLabel = "FILE",
            description = "The cluster key file (env " + SecretKeySource.ENVIRONMENT + "): base64 keys, one a line,"
                    + " oldest first; the last one encrypts (see berth secrets new-key --help).")
    Path file;

    /** The key file named by the option or the environment, if any. */
    Optional<Path> path() {
        return SecretKeySource.file(file, System.getenv());
    }

    /** The keyring when a key file was named (a named file that cannot be read is an error), else empty. */
    Optional<SecretKeyring> ifGiven() {
        return path().isEmpty() ? Optional.empty() : Optional.of(required());
    }

    /** The keyring, or a one-line error saying how to give one. */
    SecretKeyring required() {
        try {
            return SecretKeySource.load(file, System.getenv());
        } catch (SecretKeyException e) {
            throw new CliException(e.getMessage());
        }
    }
}
