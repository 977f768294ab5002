package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.FileReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A blank key names no key: the reference mounts every key, as a directory when there are several. */
class StackFilesPlaceTest {
    private final Path state = create();
    private final StackFiles files = new StackFiles(null, null, null, new HostFiles(state));

    private static Path create() {
        try {
            return Files.createTempDirectory("berth-place-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void clean() throws Exception {
        HostFiles.deleteTree(state);
    }

    private static SortedMap<String, byte[]> two() {
        return new TreeMap<>(Map.of("a.conf", "1".getBytes(StandardCharsets.UTF_8),
                "b.conf", "2".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBlankKeyMountsEveryKeyAsADirectory() throws Exception {
        for (String blank : new String[] {null, "", "  "}) {
            assertFalse(StackFiles.namesKey(new FileReference("app", blank, null, null, null, null)));
            Path mounted = files.place(new FileReference("app", blank, null, null, null, null), "config", two());
            assertTrue(Files.isDirectory(mounted), "key \"" + blank + "\": " + mounted);
            assertEquals("app", mounted.getFileName().toString());
            assertEquals("2", Files.readString(mounted.resolve("b.conf")));
        }
    }

    @Test
    void aNamedKeyIsOneFile() throws Exception {
        FileReference ref = new FileReference("app", "a.conf", null, null, null, null);
        assertTrue(StackFiles.namesKey(ref));
        Path mounted = files.place(ref, "config", new TreeMap<>(Map.of("a.conf", "1".getBytes(StandardCharsets.UTF_8))));
        assertTrue(Files.isRegularFile(mounted));
        assertEquals("1", Files.readString(mounted));
    }
}
