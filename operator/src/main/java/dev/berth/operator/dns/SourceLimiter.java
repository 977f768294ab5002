package dev.berth.operator.dns;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per source address, so one container's query flood is refused without slowing anyone else's
 * answers. The map keeps the most recently seen {@code maxSources} sources: a source pushed out starts again with a
 * full bucket, which only errs on the side of answering.
 */
final class SourceLimiter {
    private final double perSecond;
    private final double burst;
    private final LongSupplier nanos;
    /** Most recently used last. */
    private final Map<InetAddress, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long refilled;

        Bucket(double tokens, long refilled) {
            this.tokens = tokens;
            this.refilled = refilled;
        }
    }

    SourceLimiter(double perSecond, double burst, int maxSources, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanos = nanos;
        this.buckets = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
                return size() > maxSources;
            }
        };
    }

    /** Takes one token of the source's bucket; false when it is empty (the query is refused). */
    synchronized boolean tryAcquire(InetAddress source) {
        long now = nanos.getAsLong();
        Bucket bucket = buckets.get(source);
        if (bucket == null) {
            bucket = new Bucket(burst, now);
            buckets.put(source, bucket);
        } else {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilled) / 1e9 * perSecond);
            bucket.refilled = now;
        }
        if (bucket.tokens < 1) {
            return false;
        }
        bucket.tokens -= 1;
        return true;
    }

    synchronized int sources() {
        return buckets.size();
    }
}
