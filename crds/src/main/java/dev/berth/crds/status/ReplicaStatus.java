package dev.berth.crds.status;

/**
 * One container of a stack on the reporting host, like a row of {@code docker service ps}: its name
 * ({@code <stack>-<service>-<replica>}), Docker's state and health (null without a health check), and the last
 * reason it is not running as wanted (empty when it is).
 */
public record ReplicaStatus(String name, String service, int replica, String state, String health, String reason) {
}
