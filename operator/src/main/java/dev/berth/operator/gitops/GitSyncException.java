package dev.berth.operator.gitops;

/** A sync could not read its commit; {@code reason} is CamelCase (status), the message one line, never a secret. */
public final class GitSyncException extends Exception {
    private final String reason;

    public GitSyncException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public GitSyncException(String reason, String message) {
        this(reason, message, null);
    }

    public String reason() {
        return reason;
    }
}
