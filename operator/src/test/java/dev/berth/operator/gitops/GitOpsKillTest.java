package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import dev.berth.operator.reliability.RunsInTheFaultLane;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GitOps leader killed with SIGKILL: its lease runs out and the other operator takes over. */
@RunsInTheFaultLane
class GitOpsKillTest {
    @Test
    void aKilledLeaderIsReplacedWithinTheLeaseTime(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            String src = h.name("src");
            h.apply(h.gitSource(src, repo.url(), "interval: 1s"));

            String killedHost = "proc-" + h.instance;
            Process leader = new ProcessBuilder(h.processCommand(killedHost,
                    "--listen", "127.0.0.1:0", "--host-ttl", "5", "--resync", "2"))
                    .redirectErrorStream(true).redirectOutput(new File("target/gitops-kill-" + h.instance + ".log")).start();
            try {
                h.awaitSynced(src, first);
                assertEquals(killedHost, h.status(src).orElseThrow().host(), "the process leads");
                TestOperator follower = h.startOperator("inproc-" + h.instance);
                leader.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                long killedAt = System.nanoTime();
                Await.until(Duration.ofSeconds(30), "the follower leads once the killed leader's lease ran out",
                        () -> follower.metric("berth_leader", "election=\"gitops\"") == 1.0);
                long seconds = (System.nanoTime() - killedAt) / 1_000_000_000L;
                assertTrue(seconds <= 5 + 5, "took over " + seconds + " s after the kill (lease 5 s)");
                String b = h.name("b");
                String second = h.commitStack(repo, "b");
                h.awaitSynced(src, second);
                assertEquals("inproc-" + h.instance, h.status(src).orElseThrow().host());
                assertTrue(List.of(a, b).stream().allMatch(n -> h.stored("stack", n).isPresent()));
            } finally {
                leader.destroyForcibly();
            }
        }
    }
}
