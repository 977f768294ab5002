package dev.berth.reconcilers.docker;

/**
 * A Docker call that failed, with a CamelCase {@link #reason()} for a status condition and Docker's own message.
 * Reasons: ImageNotFound, PortInUse, BindSourceMissing, NameConflict, NetworkInUse, InvalidSpec, DockerUnavailable,
 * NotRemovable, DockerError.
 */
public final class DockerActionException extends RuntimeException {
    public static final String IMAGE_NOT_FOUND = "ImageNotFound";
    public static final String PORT_IN_USE = "PortInUse";
    public static final String BIND_SOURCE_MISSING = "BindSourceMissing";
    public static final String NAME_CONFLICT = "NameConflict";
    public static final String NETWORK_IN_USE = "NetworkInUse";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String DOCKER_UNAVAILABLE = "DockerUnavailable";
    /**
     * Docker cannot remove (or start) a container it marked for removal: typically its root filesystem's mount is still
     * busy after a dockerd crash. See the planner's HeldNames.
     */
    public static final String NOT_REMOVABLE = "NotRemovable";
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
