package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.reconcilers.docker.DockerEvent;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** When Berth may change containers: defect 8 of issue 20 (a dockerd shutdown's stopped containers were removed). */
class DockerSteadinessTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final DockerSteadiness steadiness = new DockerSteadiness(now::get, Duration.ofSeconds(3), "unix:///test.sock");

    private void advance(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    private static DockerEvent event(String action, String id, Map<String, String> attributes) {
        return new DockerEvent("container", action, id, attributes, 0);
    }

    private static ListedContainer listed(String id, String state) {
        return new ListedContainer(new ObservedContainer(id, "/" + id, Map.of(), state, null), Map.of(), List.of());
    }

    @Test
    void steadyAtStartAndAfterBerthsOwnForcedRemove() {
        assertEquals(Optional.empty(), steadiness.hold());
        steadiness.event(event("kill", "a", Map.of("signal", "9")));
        steadiness.event(event("die", "a", Map.of()));
        steadiness.event(event("destroy", "a", Map.of()));
        assertEquals(Optional.empty(), steadiness.hold());
    }

    @Test
    void aContainerThatStoppedByItselfIsLeftToDockerForTheSettleTime() {
        steadiness.event(event("kill", "a", Map.of("signal", "15")));
        assertTrue(steadiness.hold().isPresent(), "stopping");
        steadiness.event(event("die", "a", Map.of()));
        steadiness.listed(List.of(listed("a", "exited")));
        advance(2000);
        assertEquals(Optional.of(Duration.ofSeconds(1)), steadiness.hold());
        advance(1000);
        assertEquals(Optional.empty(), steadiness.hold(), "a person's docker stop is repaired after the settle time");
    }

    @Test
    void aReloadSignalHoldsNothing() {
        steadiness.event(event("kill", "proxy", Map.of("signal", "1")));
        steadiness.event(event("kill", "app", Map.of("signal", "SIGUSR1")));
        assertEquals(Optional.empty(), steadiness.hold(), "docker kill -s HUP reloads, it stops nothing");
    }

    @Test
    void aContainerDockerRestartsHoldsNothing() {
        steadiness.event(event("die", "a", Map.of()));
        steadiness.listed(List.of(listed("a", "restarting")));
        assertEquals(Optional.empty(), steadiness.hold());
        steadiness.event(event("die", "b", Map.of()));
        steadiness.event(event("start", "b", Map.of()));
        assertEquals(Optional.empty(), steadiness.hold());
    }

    @Test
    void aSlowStopHoldsUntilItsGracePeriodEnds() {
        steadiness.event(event("kill", "slow", Map.of("signal", "15", "berth.dev/stop-grace-seconds", "20")));
        advance(15_000);
        assertTrue(steadiness.hold().isPresent(), "still stopping after 15 s of a 20 s grace period");
        advance(7_000);
        assertEquals(Optional.empty(), steadiness.hold(), "bounded: a stop signal that stopped nothing holds no longer");
    }

    @Test
    void dockerAwayHoldsUntilItAnswersAndThenForTheSettleTime() {
        steadiness.event(event("die", "a", Map.of()));
        steadiness.streamEnded(true);
        steadiness.listFailed("connection refused");
        advance(60_000);
        assertTrue(steadiness.hold().isPresent(), "unreachable for a minute");
        steadiness.listed(List.of(listed("a", "running")));
        assertEquals(Optional.of(Duration.ofSeconds(3)), steadiness.hold(), "back: Docker restarts its own first");
        advance(3000);
        assertEquals(Optional.empty(), steadiness.hold());
    }

    @Test
    void aRefusedEventStreamWithDockerAnsweringHoldsNothing() {
        steadiness.streamEnded(false);
        assertTrue(steadiness.hold().isPresent(), "not known yet whether Docker is away");
        steadiness.answered();
        assertEquals(Optional.empty(), steadiness.hold(), "the resync repairs what the missed events hid, at once");
    }

    @Test
    void anEstablishedStreamThatEndsHoldsForTheSettleTimeEvenIfListsStillWork() {
        steadiness.streamEnded(true);
        steadiness.answered();
        assertEquals(Optional.of(Duration.ofSeconds(3)), steadiness.hold(), "a dockerd going down ends it first");
        advance(3000);
        assertEquals(Optional.empty(), steadiness.hold());
    }

    @Test
    void aStopSeenOnlyByTheListHoldsToo() {
        steadiness.listed(List.of(listed("a", "running"), listed("b", "created")));
        steadiness.listed(List.of(listed("a", "exited"), listed("b", "exited")));
        assertEquals(Optional.of(Duration.ofSeconds(3)), steadiness.hold(), "a was running; no event told its stop");
        advance(3000);
        assertEquals(Optional.empty(), steadiness.hold());
    }

    /** A dockerd going down may answer once between two refused calls: one warning, not one per flap. */
    @Test
    void anOutageThatFlapsIsWarnedOfOncePerMinute() {
        // Run alone, this test may ask while SLF4J still initialises on another class's thread (a SubstituteLogger).
        dev.berth.operator.Await.until(java.time.Duration.ofSeconds(30), "logback initialised",
                () -> LoggerFactory.getLogger(DockerSteadiness.class) instanceof Logger);
        Logger logger = (Logger) LoggerFactory.getLogger(DockerSteadiness.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        // FuzzTest, in the same JVM, turns "dev.berth" down to ERROR while it runs (CI: this test then saw nothing).
        Level level = logger.getLevel();
        logger.setLevel(Level.WARN);
        try {
            steadiness.listFailed("connection refused");
            advance(200);
            steadiness.listed(List.of());
            advance(200);
            steadiness.listFailed("no such file");
            // Other lanes' operators log through the same logger: only this one's warnings (they name its Docker).
            java.util.function.Predicate<ILoggingEvent> mine = e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("unix:///test.sock");
            assertEquals(1, logs.list.stream().filter(mine).count(), logs.list.toString());
            steadiness.listed(List.of());
            advance(61_000);
            steadiness.listFailed("connection refused");
            assertEquals(2, logs.list.stream().filter(mine).count(),
                    "a new outage a minute later is warned of again: " + logs.list);
        } finally {
            logger.setLevel(level);
            logger.detachAppender(logs);
        }
    }
}
