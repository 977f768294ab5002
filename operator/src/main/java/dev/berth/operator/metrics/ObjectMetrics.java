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
        if (status == null) {
            current.remove(key);
        } else {
            current.put(key, status);
        }
    }

    double count(String kind, String condition, String status) {
        return current.entrySet().stream().filter(e -> e.getKey().kind().equals(kind))
                .filter(e -> e.getValue().condition(condition).map(c -> status.equals(c.status())).orElse(false))
                .count();
    }

    double longestDegradedSeconds(String kind) {
        Instant now = clock.instant();
        return current.entrySet().stream().filter(e -> e.getKey().kind().equals(kind))
                .flatMap(e -> e.getValue().condition(Condition.DEGRADED).stream())
                .filter(Condition::isTrue)
                .mapToDouble(c -> {
                    try {
                        return Math.max(0, Duration.between(Instant.parse(c.lastTransitionTime()), now).toMillis() / 1000.0);
                    } catch (DateTimeParseException | NullPointerException e) {
                        return 0;
                    }
                }).max().orElse(0);
    }
}
