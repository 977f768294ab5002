package dev.berth.operator.dns;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts work in flight per source and refuses more than {@code perSource} at once. A source with nothing in flight
 * holds no entry, so the map is bounded by the work in flight, not by the sources ever seen.
 */
final class InFlight {
    private final int perSource;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> counts = new ConcurrentHashMap<>();

    InFlight(int perSource) {
        this.perSource = perSource;
    }

    /** Takes one slot for {@code source}; false when it already has {@code perSource}. */
    boolean tryTake(InetAddress source) {
        boolean[] taken = {false};
        counts.compute(source, (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() < perSource) {
                c.incrementAndGet();
                taken[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        return taken[0];
    }

    void release(InetAddress source) {
        counts.computeIfPresent(source, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    int sources() {
        return counts.size();
    }
}
