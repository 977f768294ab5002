package dev.berth.operator.secrets;

/**
 * Why a stack's Secret and Config files cannot be prepared on this host: a condition reason ({@code SecretNotFound},
 * {@code ConfigNotFound}, {@code SecretUndecryptable}, {@code SecretStoreUnavailable}) and a message that names
 * objects, keys and key ids, never a value.
 */
public final class FilesException extends Exception {
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String CONFIG_NOT_FOUND = "ConfigNotFound";
    public static final String SECRET_UNDECRYPTABLE = "SecretUndecryptable";
    public static final String SECRET_STORE_UNAVAILABLE = "SecretStoreUnavailable";

    private final String reason;

    public FilesException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
