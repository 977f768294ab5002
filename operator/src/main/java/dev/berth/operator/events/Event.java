package dev.berth.operator.events;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Something that happened to an object, Kubernetes-style: {@code type} is {@link #NORMAL} or {@link #WARNING},
 * {@code reason} a CamelCase word (Created, RolloutFailed, ...), {@code count} how often the same (object, reason,
 * message) happened between {@code firstTimestamp} and {@code lastTimestamp} (ISO-8601, UTC). {@code host} is where
 * it happened, {@code source} the part of the operator that saw it (stack, scheduler, images).
 */
@JsonPropertyOrder({"kind", "name", "host", "type", "reason", "message", "count", "firstTimestamp", "lastTimestamp",
        "source"})
public record Event(String kind, String name, String host, String type, String reason, String message, int count,
                    String firstTimestamp, String lastTimestamp, String source) {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    /** {@code kind/name}, as the rest of Berth names an object (not stored: kind and name are). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public String object() {
        return kind + "/" + name;
    }
}
