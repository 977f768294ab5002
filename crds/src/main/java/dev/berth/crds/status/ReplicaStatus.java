package dev.berth.crds.status;

/**
 * One container of a stack on the reporting host, like a row of {@code docker service ps}: its name
 * ({@code <stack>-<service>-<replica>}), Docker's state and health (null without a health check), the last
 * reason it is not running as wanted (empty when it is), and what {@code berth ps} shows: the image reference it
 * runs ({@code image}), the image's digest where the reference pins one, else the local image id ({@code imageId}),
 * Docker's restart count ({@code restarts}), when it was created and last started (ISO-8601) and its last exit code
 * ({@code exitCode}, null while it never exited). Nothing here moves with the passing of time, so status is
 * rewritten only when a container changes; ages are the reader's to compute. Status written before these fields
 * existed reads them as null.
 */
public record ReplicaStatus(String name, String service, int replica, String state, String health, String reason,
                            String image, String imageId, Integer restarts, String createdAt, String startedAt,
                            Integer exitCode) {
    /** Without container details: a replica not created yet, or tests that do not care. */
    public ReplicaStatus(String name, String service, int replica, String state, String health, String reason) {
        this(name, service, replica, state, health, reason, null, null, null, null, null, null);
    }
}
