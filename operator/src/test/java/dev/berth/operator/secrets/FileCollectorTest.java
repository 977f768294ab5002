package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The grace of unused files is counted up to when the list of containers was taken, not when it was handed on. */
class FileCollectorTest {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void aListTakenWithinTheGraceKeepsTheFilesEvenWhenHandedOnLater() throws Exception {
        Path state = Files.createTempDirectory("berth-collector-");
        HostFiles files = new HostFiles(state, clock, Duration.ofSeconds(60));
        CountDownLatch relisted = new CountDownLatch(1);
        try (FileCollector collector = new FileCollector(files, clock, relisted::countDown)) {
            Instant written = now;
            Path dir = files.place(FileSet.file("config", "app", "app.conf", "x".getBytes(StandardCharsets.UTF_8),
                    0444, 0, 0)).getParent();
            now = written.plusSeconds(120);
            // A list taken 30 s after the write (a container created since may use the files), handed on now.
            collector.listed(List.of(), written.plusSeconds(30));
            // The run asks for a list after the grace: it has run.
            assertTrue(relisted.await(30, TimeUnit.SECONDS), "the collector ran");
            assertTrue(Files.exists(dir), "within its grace when the list was taken");

            // A list taken after the grace removes them.
            collector.listed(List.of(), now);
            Await.until(Duration.ofSeconds(30), "the unused files removed", () -> !Files.exists(dir), dir::toString);
            assertFalse(Files.exists(dir));
        } finally {
            HostFiles.deleteTree(state);
        }
    }
}
