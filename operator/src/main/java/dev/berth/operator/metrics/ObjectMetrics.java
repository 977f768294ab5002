package dev.berth.operator.metrics;

import dev.berth.crds.KindDef;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.ObjectKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This host's objects by condition, from the statuses this host's status writers write (each is told {@link #status}):
 * {@code berth_objects{kind,condition,status}} (how many objects of a kind have Ready/Progressing/Degraded =
 * True/False/Unknown) and {@code berth_objects_degraded_longest_seconds{kind}} (how long the longest-Degraded object
 * of a kind has been Degraded, 0 when none is). Labels are the kind and the condition only, never an object's name:
 * every series exists from the start, whatever the number of objects. Name the object with {@code berth get}.
 */
public final class ObjectMetrics {
    public static final List<String> CONDITIONS = List.of(Condition.READY, Condition.PROGRESSING, Condition.DEGRADED);
    public static final List<String> STATUSES = List.of("True", "False", "Unknown");

    private final Map<ObjectKey, ObjectStatus> current = new ConcurrentHashMap<>();
    /**
     * The gauges' values kept as statuses come, by "kind/condition/status": a scrape reads them, where counting from
     * {@link #current} cost every scrape a pass over every object for each of the kinds × 9 series.
     */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> counts = new ConcurrentHashMap<>();
    /** When each object now Degraded became so (its condition's transition time; null when it cannot be read). */
    private final Map<ObjectKey, Optional<Instant>> degradedSince = new ConcurrentHashMap<>();
    private final Clock clock;

    public ObjectMetrics(MeterRegistry registry, Collection<KindDef> kinds, Clock clock) {
        this.clock = clock;
        for (KindDef kind : kinds) {
            String k = kind.singular();
            for (String condition : CONDITIONS) {
                for (String status : STATUSES) {
                    Gauge.builder("berth.objects", this, m -> m.count(k, condition, status))
                            .tag("kind", k).tag("condition", condition).tag("status", status)
                            .description("Objects on this host by kind and condition status").register(registry);
                }
            }
            Gauge.builder("berth.objects.degraded.longest", this, m -> m.longestDegradedSeconds(k))
                    .tag("kind", k).baseUnit("seconds")
                    .description("Seconds the longest-Degraded object of this kind has been Degraded on this host; 0 if none")
                    .register(registry);
        }
    }

    /** A status was written for {@code key} (null: deleted). */
    public void status(ObjectKey key, ObjectStatus status) {
        // compute() runs under the key's lock: the counts move from the old status to the new one exactly once.
        current.compute(key, (k, before) -> {
            if (before != null) {
                add(k, before, -1);
            }
            if (status != null) {
                add(k, status, 1);
            }
            Optional<Condition> degraded = status == null ? Optional.empty()
                    : status.condition(Condition.DEGRADED).filter(Condition::isTrue);
            if (degraded.isPresent()) {
                degradedSince.put(k, since(degraded.get()));
            } else {
                degradedSince.remove(k);
            }
            return status;
        });
    }

    private void add(ObjectKey key, ObjectStatus status, long delta) {
        for (String condition : CONDITIONS) {
            status.condition(condition).ifPresent(c -> counts.computeIfAbsent(key.kind() + "/" + condition + "/"
                    + c.status(), x -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(delta));
        }
    }

    private static Optional<Instant> since(Condition degraded) {
        try {
            return Optional.of(Instant.parse(degraded.lastTransitionTime()));
        } catch (DateTimeParseException | NullPointerException e) {
            return Optional.empty();
        }
    }

    double count(String kind, String condition, String status) {
        java.util.concurrent.atomic.AtomicLong n = counts.get(kind + "/" + condition + "/" + status);
        return n == null ? 0 : n.get();
    }

    double longestDegradedSeconds(String kind) {
        Instant now = clock.instant();
        return degradedSince.entrySet().stream().filter(e -> e.getKey().kind().equals(kind))
                .mapToDouble(e -> e.getValue().map(t -> Math.max(0, Duration.between(t, now).toMillis() / 1000.0))
                        .orElse(0.0))
                .max().orElse(0);
    }
}
