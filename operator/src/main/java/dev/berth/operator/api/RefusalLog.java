package dev.berth.operator.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which refusals get a log line: the first from an address, then at most one per period, counting those in between,
 * so a client that retries with a wrong token (or a scanner) does not flood the log. Addresses not refused for a
 * period are forgotten; the table holds at most {@link #MAX_ADDRESSES}.
 */
final class RefusalLog {
    static final int MAX_ADDRESSES = 1024;

    private final long periodNanos;
    private final Map<String, long[]> seen = new ConcurrentHashMap<>();

    RefusalLog(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    /** @return 0 for no line now, else the refusals to report (this one included) */
    long due(String address, long nowNanos) {
        if (seen.size() >= MAX_ADDRESSES) {
            seen.values().removeIf(entry -> nowNanos - entry[0] >= periodNanos);
            if (seen.size() >= MAX_ADDRESSES) {
                seen.clear();
            }
        }
        long[] entry = seen.computeIfAbsent(address, a -> new long[] {nowNanos - periodNanos, 0});
        synchronized (entry) {
            entry[1]++;
            if (nowNanos - entry[0] < periodNanos) {
                return 0;
            }
            long count = entry[1];
            entry[0] = nowNanos;
            entry[1] = 0;
            return count;
        }
    }
}
