package dev.berth.operator.secrets;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the cluster key file comes from: {@code --secret-key-file}, else the environment variable
 * {@value #ENVIRONMENT} (a path, never the key itself, so the key is in no process's arguments or environment).
 */
public final class SecretKeySource {
    public static final String ENVIRONMENT = "BERTH_SECRET_KEY_FILE";

    private SecretKeySource() {
    }

    /** The key file to use, if any was named. */
    public static Optional<Path> file(Path option, Map<String, String> environment) {
        if (option != null) {
            return Optional.of(option);
        }
        String fromEnv = environment.get(ENVIRONMENT);
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(fromEnv));
    }

    /** The keyring, or an error saying how to give one. */
    public static SecretKeyring load(Path option, Map<String, String> environment) throws SecretKeyException {
        Path file = file(option, environment).orElseThrow(() -> new SecretKeyException(
                "no secret key file: give --secret-key-file FILE or set " + ENVIRONMENT
                        + " (create one with `berth secrets new-key > FILE`)"));
        return SecretKeyring.load(file);
    }
}
