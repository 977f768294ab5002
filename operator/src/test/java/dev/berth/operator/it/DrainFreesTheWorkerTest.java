package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A start-first update's drain is a requeue-after, not a sleep: with one stack worker, another stack converges
 * while the first stack's old container is still draining.
 */
class DrainFreesTheWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String SLOW_DRAIN = """
            env: {V: "%s"}
            healthcheck:
              test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"]
              interval: 1s
              retries: 2
            update: {strategy: start-first, drain: 40s, healthTimeout: 30s}
            """;

    @Test
    void aSecondStackConvergesWhileTheFirstDrains() throws Exception {
        try (TestOperator h = TestOperator.builder().workers(1).build().start()) {
            String a = h.name("drain");
            h.apply(StackYaml.stack(a).with(SLOW_DRAIN.formatted("1")).yaml());
            h.awaitReady(a, 1);
            h.apply(StackYaml.stack(a).with(SLOW_DRAIN.formatted("2")).yaml());
            Await.until(WAIT, "the replacement healthy next to the old container (the drain begins)",
                    () -> h.running(a).stream().anyMatch(c -> c.getNames()[0].equals("/" + a + "-web-1-next")
                            && c.getStatus().contains("(healthy)")), () -> h.describeStatus(a));
            // Two resyncs later every stack has been queued again, so the pass that retires the old container has
            // begun: a sleeping drain would hold the only worker from here on.
            double resyncs = h.metric("berth_resyncs_total");
            Await.until(WAIT, "two more resyncs", () -> h.metric("berth_resyncs_total") >= resyncs + 2);
            long drainSeen = System.nanoTime();

            String b = h.name("other");
            h.apply(StackYaml.stack(b).yaml());
            h.awaitReady(b, 1);
            assertTrue(h.containers(a).size() == 2 && System.nanoTime() - drainSeen < Duration.ofSeconds(30).toNanos(),
                    "the other stack converged while the first one's old container drained: " + h.describeStatus(a));

            Await.until(WAIT, "the update finished after the drain", () -> h.isReady(a, 1)
                    && h.containers(a).get(0).getNames()[0].equals("/" + a + "-web-1"), () -> h.describeStatus(a));
        }
    }
}
