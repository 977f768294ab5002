package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
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
            assertEquals(first.instance, Files.readString(state.resolve("lock")).strip(), "names who holds it");

            StateDirLock.Unavailable e = assertThrows(StateDirLock.Unavailable.class, second::start);
            assertTrue(e.getMessage().contains(state.toString()) && e.getMessage().contains("--state-dir")
                    && e.getMessage().contains(first.instance) && !e.getMessage().contains("\n"), e.getMessage());
            second.stopOperator(); // what it built before it failed

            // The first one stopped: its directory is free.
            first.stopOperator();
            second.start();
            assertEquals(second.instance, Files.readString(state.resolve("lock")).strip());
        } finally {
            HostFiles.deleteTree(state);
        }
    }
}
