package dev.berth.operator.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** {@code berth_dns_queries_total{result}} and {@code berth_dns_answer_seconds}: what the responder did, and how fast. */
final class DnsMetrics {
    /** The {@code result} label: bounded, one per way a query ends. */
    enum Result {
        ANSWERED, NODATA, NXDOMAIN, FORWARDED, REFUSED, ERROR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<Result, Counter> queries = new EnumMap<>(Result.class);
    private final Timer answerTime;

    DnsMetrics(MeterRegistry registry) {
        for (Result result : Result.values()) {
            queries.put(result, Counter.builder("berth.dns.queries").tag("result", result.label())
                    .description("DNS queries the name responder ended, by how: answered (Berth name, A records), nodata"
                            + " (Berth name, other type), nxdomain, forwarded (upstream answered), refused (source over its"
                            + " rate limit), error (malformed, or no upstream answered: SERVFAIL)")
                    .register(registry));
        }
        answerTime = Timer.builder("berth.dns.answer").description("From a query's arrival to its answer being sent,"
                        + " forwarded ones included")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
                        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
                .register(registry);
    }

    /** One query ended with {@code result}, having arrived at {@code startNanos}. */
    void ended(Result result, long startNanos) {
        queries.get(result).increment();
        answerTime.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
