package dev.berth.reconcilers.docker;

/**
 * A Docker call that failed, with a CamelCase {@link #reason()} for a status condition and Docker's own message.
 * Reasons: ImageNotFound, PortInUse, BindSourceMissing, NameConflict, NetworkInUse, InvalidSpec, DockerUnavailable,
 * DockerError.
 */
public final class DockerActionException extends RuntimeException {
    public static final String IMAGE_NOT_FOUND = "ImageNotFound";
    public static final String PORT_IN_USE = "PortInUse";
    public static final String BIND_SOURCE_MISSING = "BindSourceMissing";
    public static final String NAME_CONFLICT = "NameConflict";
    public static final String NETWORK_IN_USE = "NetworkInUse";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String DOCKER_UNAVAILABLE = "DockerUnavailable";
    public static final String DOCKER_ERROR = "DockerError";

    private final String reason;

    public DockerActionException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DockerActionException(String reason, String message) {
        this(reason, message, null);
    }

    public String reason() {
        return reason;
    }
}
