package dev.berth.operator.events;

/**
 * Where the operator's parts tell what happened to an object. Implementations never block on etcd and never throw:
 * an event is information, and losing one must not fail or slow the work it describes.
 */
@FunctionalInterface
public interface EventRecorder {
    /** Drops every event: for tests and tools that do not look at events. */
    EventRecorder NONE = (kind, name, type, reason, message) -> { };

    /**
     * @param kind    singular and lowercase, as in keys ("stack")
     * @param type    {@link Event#NORMAL} or {@link Event#WARNING}
     * @param reason  CamelCase, one word (Created, ImagePullFailed)
     * @param message one line for people
     */
    void record(String kind, String name, String type, String reason, String message);

    default void normal(String kind, String name, String reason, String message) {
        record(kind, name, Event.NORMAL, reason, message);
    }

    default void warning(String kind, String name, String reason, String message) {
        record(kind, name, Event.WARNING, reason, message);
    }
}
