package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger file on its own: what it keeps across instances and what it does with a file it cannot read. */
class ImageLedgerTest {
    private static final Clock AT = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    @TempDir
    Path state;

    @Test
    void keepsWhatWasAcquiredAndLeavesNoTemporaryFiles() throws Exception {
        ImageLedger ledger = ImageLedger.inStateDir(state);
        ledger.acquired("sha256:aa", "reg:5000/shop/web@sha256:11");
        ledger.acquired("sha256:bb", "berth-build/shop-web:0123456789ab");

        ImageLedger reopened = new ImageLedger(state.resolve(ImageLedger.FILE), AT);
        assertEquals(Map.of("sha256:aa", "reg:5000/shop/web@sha256:11", "sha256:bb", "berth-build/shop-web:0123456789ab"),
                Map.of("sha256:aa", reopened.entry("sha256:aa").orElseThrow().ref(),
                        "sha256:bb", reopened.entry("sha256:bb").orElseThrow().ref()));
        assertNull(reopened.entry("sha256:aa").orElseThrow().lastUsed());
        try (Stream<Path> files = Files.list(state.resolve("images"))) {
            assertEquals(List.of("ledger.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFileItCannotReadIsSetAsideAndTheLedgerStartsEmpty() throws Exception {
        Path file = state.resolve(ImageLedger.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{ not json");

        ImageLedger ledger = new ImageLedger(file, AT);
        assertEquals(Map.of(), ledger.entries());
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("ledger.json.unreadable-")));
        }
        ledger.acquired("sha256:cc", "x:1");
        assertEquals("x:1", new ImageLedger(file, AT).entry("sha256:cc").orElseThrow().ref());
    }
}
