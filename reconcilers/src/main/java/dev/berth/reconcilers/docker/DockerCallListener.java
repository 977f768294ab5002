package dev.berth.reconcilers.docker;

/**
 * Told about every Docker API call {@link InstrumentedDocker} makes, so the runtime can count and time them without
 * this module knowing any metrics library. Both strings come from small fixed sets (never an id or a name):
 * {@link #OPERATIONS} and {@link #OUTCOMES}. Must be cheap and must not throw.
 */
@FunctionalInterface
public interface DockerCallListener {
    /** Every operation {@link InstrumentedDocker} reports. */
    java.util.List<String> OPERATIONS = java.util.List.of("list_containers", "list_networks", "create_container",
            "inspect_container", "connect_network", "start_container", "rename_container", "stop_container", "remove_container", "create_network",
            "inspect_network", "remove_network", "disconnect_network", "events");
    /** success; not_found, conflict, not_modified (Docker's 404/409/304, often expected); error; unavailable (I/O, timeout). */
    java.util.List<String> OUTCOMES = java.util.List.of("success", "not_found", "conflict", "not_modified", "error",
            "unavailable");

    DockerCallListener NONE = (operation, outcome, nanos) -> { };

    void call(String operation, String outcome, long nanos);
}
