package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The kept bridge process's life: the one in the caller's namespace, with nothing but markers sent. */
class BridgeSessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void aProcessThatNeverAnswersTurnsTheSessionOffAndIsStopped() {
        try (BridgeSession session = new BridgeSession(List.of("sleep", "60"), () -> "own")) {
            assertEquals(Optional.empty(), session.run("", 0, Duration.ofMillis(300)));
            assertEquals(Optional.empty(), session.pid());
            long before = ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith("sleep"))
                    .filter(ProcessHandle::isAlive).count();
            // Off for good: no second process, the caller runs each batch on its own.
            assertEquals(Optional.empty(), session.run("", 0, Duration.ofMillis(300)));
            assertEquals(before, ProcessHandle.current().children()
                    .filter(p -> p.info().command().orElse("").endsWith("sleep")).filter(ProcessHandle::isAlive).count());
        }
    }

    @Test
    void anUnusedProcessIsStoppedAfterTheIdleTime() throws InterruptedException {
        try (BridgeSession session = new BridgeSession(List.of("bridge", "-batch", "-"), () -> "own",
                Duration.ofMillis(300))) {
            CommandRunner.CommandResult r = session.run("", 0, TIMEOUT).orElseThrow();
            assertEquals(0, r.exitCode(), r.stderr());
            long pid = session.pid().orElseThrow();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (session.pid().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(Optional.empty(), session.pid(), "stopped after 300 ms unused");
            assertTrue(ProcessHandle.of(pid).map(p -> p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                    .thenApply(x -> true).join()).orElse(true), "the process ended");
            // The next batch starts another.
            assertEquals(0, session.run("", 0, TIMEOUT).orElseThrow().exitCode());
        }
    }

    @Test
    void anInterruptedStartIsTheCallersNotAReasonToTurnTheSessionOff() {
        try (BridgeSession session = new BridgeSession(List.of("bridge", "-batch", "-"), () -> "own")) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(LinkDriverException.class, () -> session.run("", 0, TIMEOUT));
            } finally {
                Thread.interrupted();
            }
            assertEquals(0, session.run("", 0, TIMEOUT).orElseThrow().exitCode(), "still on");
        }
    }
}
