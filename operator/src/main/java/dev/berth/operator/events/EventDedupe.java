package dev.berth.operator.events;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes' event aggregation in small: the same (object, reason, message) seen again within {@link #window} keeps
 * its key and counts up, so a pass that fails the same way every few seconds writes one event with a count, not
 * hundreds. Remembers at most {@code capacity} series, least recently seen forgotten first (a forgotten series
 * starts again at count 1 under a new key). Pure and not thread-safe; the recorder calls it under its lock.
 */
public final class EventDedupe {
    private final Duration window;
    private final Map<Series, Seen> seen;

    /** One series of equal events. */
    private record Series(String kind, String name, String type, String reason, String message) {
    }

    private record Seen(String id, int count, Instant first, Instant last) {
    }

    /** Where an event goes: its id under the object's prefix, how often it happened, since when. */
    public record Slot(String id, int count, Instant first) {
    }

    public EventDedupe(Duration window, int capacity) {
        this.window = Objects.requireNonNull(window);
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Series, Seen> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * @param newId the id a new series gets (called only then)
     */
    public Slot next(String kind, String name, String type, String reason, String message, Instant now,
                     java.util.function.Supplier<String> newId) {
        Series series = new Series(kind, name, type, reason, message);
        Seen before = seen.get(series);
        Seen next = before != null && !now.isAfter(before.last().plus(window))
                ? new Seen(before.id(), before.count() + 1, before.first(), now)
                : new Seen(newId.get(), 1, now, now);
        seen.put(series, next);
        return new Slot(next.id(), next.count(), next.first());
    }

    public int size() {
        return seen.size();
    }
}
