package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two operators (two instances) on one host with one state directory would remove each other's Secret and Config
 * files: the second does not start, and says why in one line.
 */
class StateDirLockTest {
    @Test
    void aSecondOperatorOnTheSameStateDirectoryDoesNotStart() throws Exception {
        Path state = Files.createTempDirectory("berth-state-shared-");
        try (TestOperator first = TestOperator.builder().stateDir(state).build();
             TestOperator second = TestOperator.builder().stateDir(state).build()) {
            first.start();
            // Not read here while held: closing any descriptor of the file would drop this process's lock.

            StateDirLock.Unavailable e = assertThrows(StateDirLock.Unavailable.class, second::start);
            assertTrue(e.getMessage().contains(state.toString()) && e.getMessage().contains("--state-dir")
                    && e.getMessage().contains(first.instance) && !e.getMessage().contains("\n"), e.getMessage());
            second.stopOperator(); // what it built before it failed

            // Another process: `berth operator` prints the line and exits 1.
            Path log = Files.createTempFile("berth-lock-", ".log");
            Process p = new ProcessBuilder(second.processCommand(second.host, List.of())).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the second operator exits: " + Files.readString(log));
            } finally {
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            Files.delete(log);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("error: state directory " + state)
                    && l.contains("--state-dir") && l.contains("instance " + first.instance)), out);

            // The first one stopped: its directory is free.
            first.stopOperator();
            second.start();
            second.stopOperator();
            assertEquals(second.instance, Files.readString(state.resolve("lock")).strip(), "names who held it");
        } finally {
            HostFiles.deleteTree(state);
        }
    }
}
