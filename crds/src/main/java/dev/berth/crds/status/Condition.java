package dev.berth.crds.status;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A Kubernetes-style condition. {@code status} is True, False or Unknown; {@code reason} is CamelCase;
 * {@code lastTransitionTime} (ISO-8601) moves only when {@code status} moves, so rewriting an unchanged
 * condition never changes the stored status.
 */
public record Condition(String type, String status, String reason, String message, String lastTransitionTime) {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";

    /** Derived from status; ignored by Jackson, which would otherwise store it as a stray "true" field. */
    @JsonIgnore
    public boolean isTrue() {
        return "True".equals(status);
    }

    /** This condition, keeping {@code previous}'s transition time when the status did not move. */
    public Condition since(Condition previous, String now) {
        String time = previous != null && previous.status().equals(status) ? previous.lastTransitionTime() : now;
        return new Condition(type, status, reason, message, time);
    }
}
