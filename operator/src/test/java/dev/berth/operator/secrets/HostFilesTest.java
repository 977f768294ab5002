package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Config files on a plain directory (no tmpfs needed): layout, digests, modes, and what collection keeps. */
class HostFilesTest {
    private final Path state = createState();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final HostFiles files = new HostFiles(state, clock, Duration.ofSeconds(60));

    private static Path createState() {
        try {
            return Files.createTempDirectory("berth-hostfiles-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void clean() throws Exception {
        HostFiles.deleteTree(state);
    }

    private static FileSet one(String value, int mode) {
        return FileSet.file("config", "app", "app.conf", value.getBytes(StandardCharsets.UTF_8), mode, 0, 0);
    }

    @Test
    void sameContentSamePathOtherContentOrModeAnotherPath() throws Exception {
        Path a = files.place(one("x=1", 0444));
        assertEquals(a, files.place(one("x=1", 0444)));
        assertNotEquals(a, files.place(one("x=2", 0444)));
        assertNotEquals(a, files.place(one("x=1", 0400)));
        assertEquals("x=1", Files.readString(a));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
        assertEquals(a.getParent().getParent(), state.resolve("configs"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("configs"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("salt"))));
        assertEquals(32, a.getParent().getFileName().toString().length());
        // Another salt (another host) gives other paths for the same content.
        HostFiles other = new HostFiles(Files.createTempDirectory("berth-hostfiles-other-"), clock, Duration.ofSeconds(60));
        Path elsewhere = other.place(one("x=1", 0444));
        assertNotEquals(a.getParent().getFileName(), elsewhere.getParent().getFileName());
        HostFiles.deleteTree(elsewhere.getParent().getParent().getParent());
        // The same state directory again (an operator restart): the same salt, the same paths.
        assertEquals(a, new HostFiles(state, clock, Duration.ofSeconds(60)).place(one("x=1", 0444)));
    }

    @Test
    void aSecretEnvironmentValueDigestIsSaltedAndFollowsTheValue() throws Exception {
        byte[] value = "hunter2".getBytes(StandardCharsets.UTF_8);
        String d = files.valueDigest("db", "password", value);
        assertEquals(d, new HostFiles(state, clock, Duration.ofSeconds(60)).valueDigest("db", "password", value));
        assertNotEquals(d, files.valueDigest("db", "password", "hunter3".getBytes(StandardCharsets.UTF_8)));
        assertFalse(d.contains(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(value)).substring(0, 16)), "not an unsalted hash of the value");
        Path otherState = Files.createTempDirectory("berth-hostfiles-other-");
        try {
            assertNotEquals(d, new HostFiles(otherState, clock, Duration.ofSeconds(60)).valueDigest("db", "password",
                    value), "another host's salt gives another digest");
        } finally {
            HostFiles.deleteTree(otherState);
        }
    }

    @Test
    void severalKeysMakeAListableDirectory() throws Exception {
        Map<String, byte[]> entries = new TreeMap<>(Map.of("a", "1".getBytes(), "b", "2".getBytes()));
        Path dir = files.place(new FileSet("config", "app", true, "app", new TreeMap<>(entries), 0440, 0, 0));
        assertTrue(Files.isDirectory(dir));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("2", Files.readString(dir.resolve("b")));
        assertEquals("r--r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))));
    }

    @Test
    void collectionKeepsWhatIsMountedOrWithinItsGraceAndRemovesTheRest() throws Exception {
        Path used = files.place(one("used", 0444));
        Path unused = files.place(one("unused", 0444));
        Path fresh;
        now = now.plusSeconds(30);
        fresh = files.place(one("fresh", 0444));
        now = now.plusSeconds(45); // used and unused: 75 s old; fresh: 45 s
        Optional<Instant> again = files.collect(Set.of(used.toString()), now);
        assertTrue(Files.exists(used), "mounted by a container");
        assertFalse(Files.exists(unused.getParent()), "unused beyond the grace");
        assertTrue(Files.exists(fresh), "within its grace");
        assertEquals(Optional.of(now.plusSeconds(15)), again, "look again when the grace of the fresh one ends");

        // A list taken before the grace ended does not count: a container created after it may use the files.
        now = now.plusSeconds(30);
        files.collect(Set.of(), now.minusSeconds(20));
        assertTrue(Files.exists(fresh));
        files.collect(Set.of(), now);
        assertFalse(Files.exists(fresh));
        assertFalse(Files.exists(used), "no longer mounted");

        // Using files again keeps them: the use touches them.
        Path back = files.place(one("back", 0444));
        now = now.plusSeconds(50);
        files.place(one("back", 0444));
        now = now.plusSeconds(50);
        files.collect(Set.of(), now);
        assertTrue(Files.exists(back));
    }

    @Test
    void aRemovalNamesTheObjectItsFilesHeld() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                HostFiles.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            // A Config: a Secret would need a tmpfs mounted under the test's directory.
            Path gone = files.place(FileSet.file("config", "proxy", "nginx.conf", "x".getBytes(StandardCharsets.UTF_8),
                    0400, 0, 0));
            String digest = gone.getParent().getFileName().toString();
            now = now.plusSeconds(120);
            files.collect(Set.of(), now);
            assertTrue(logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.equals("config/proxy: removed unused files " + digest)), logs.list.toString());
            assertFalse(Files.exists(gone));
        } finally {
            logger.setLevel(level);
            logger.detachAppender(logs);
        }
    }
}
