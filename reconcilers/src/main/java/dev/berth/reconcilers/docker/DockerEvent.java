package dev.berth.reconcilers.docker;

import java.util.Map;

/**
 * One Docker event about a managed container or network, or any image on the host; {@code type} is "container",
 * "network" or "image".
 */
public record DockerEvent(String type, String action, String id, Map<String, String> attributes, long timeNano) {
    public DockerEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
