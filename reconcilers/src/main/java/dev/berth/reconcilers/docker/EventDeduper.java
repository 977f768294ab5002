package dev.berth.reconcilers.docker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drops events already seen. {@code since} has one-second granularity, so a resubscription replays the last
 * second; (id, action, timeNano) identifies an event. Bounded, so it forgets old events rather than grow.
 */
final class EventDeduper {
    private final Map<String, Boolean> seen;

    EventDeduper(int capacity) {
        this.seen = new LinkedHashMap<>(capacity * 2, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time an event is offered. */
    synchronized boolean firstTime(DockerEvent e) {
        return seen.put(e.type() + "|" + e.id() + "|" + e.action() + "|" + e.timeNano(), Boolean.TRUE) == null;
    }
}
