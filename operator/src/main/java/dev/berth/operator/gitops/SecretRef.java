package dev.berth.operator.gitops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/** Reads a secret named by reference (a file or an environment variable); messages name the reference, never the value. */
final class SecretRef {
    private SecretRef() {
    }

    /** Empty when neither reference is set; a set reference that cannot be read is an error. */
    static Optional<String> read(String file, String env, Function<String, String> environment, String what)
            throws GitSyncException {
        if (file != null && !file.isBlank()) {
            try {
                return Optional.of(Files.readString(Path.of(file)).strip());
            } catch (IOException | RuntimeException e) {
                throw new GitSyncException("CredentialsUnavailable", what + ": cannot read file " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        if (env != null && !env.isBlank()) {
            String value = environment.apply(env);
            if (value == null || value.isEmpty()) {
                throw new GitSyncException("CredentialsUnavailable", what + ": environment variable " + env
                        + " is not set in the operator");
            }
            return Optional.of(value.strip());
        }
        return Optional.empty();
    }
}
