package dev.berth.reconcilers.docker;

import java.util.Map;

/** One Docker event about a managed container or network; {@code type} is "container" or "network". */
public record DockerEvent(String type, String action, String id, Map<String, String> attributes, long timeNano) {
    public DockerEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
