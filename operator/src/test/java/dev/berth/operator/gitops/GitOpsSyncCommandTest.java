package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StackRevision;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** berth sync gitsource: a sync now, answered by the leader through etcd, with its commit or its failure. */
class GitOpsSyncCommandTest {
    @Test
    void syncPicksUpANewCommitInSecondsAndReportsAFailedOne(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            String src = h.name("src");
            TestOperator operator = h.startOperator("host-" + h.instance);
            h.apply(h.gitSource(src, repo.url(), "interval: 1h"));
            h.awaitSynced(src, first);
            List<StackRevision> synced = h.etcd.store.revisions().list(a);
            assertEquals(List.of("gitsource/" + src + " commit " + GitSync.shortSha(first)),
                    synced.stream().map(StackRevision::changeCause).toList());

            String b = h.name("b");
            String second = h.commitStack(repo, "b");
            long start = System.nanoTime();
            CliRun sync = h.etcd.cli("sync", "gitsource", src, "--timeout", "30s");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0, sync.exit(), sync.out() + sync.err());
            assertEquals("gitsource/" + src + " synced commit " + second + "\n", sync.out());
            assertTrue(h.stored("stack", b).isPresent(), "b is in etcd when sync returns");
            assertTrue(millis < 10_000, "synced in " + millis + " ms");

            CliRun again = h.etcd.cli("sync", "gitsource/" + src, "--timeout", "30s");
            assertEquals(0, again.exit(), again.out() + again.err());
            assertEquals("gitsource/" + src + " synced commit " + second + "\n", again.out(),
                    "a sync with nothing new is answered too");

            repo.write("stacks/broken.yaml", "apiVersion: berth.dev/v1\nkind: Stack\nmetadata: {name: x}\nspec: {services: 3}\n");
            repo.commit("broken");
            CliRun failed = h.etcd.cli("sync", "gitsource", src, "--timeout", "30s");
            assertEquals(1, failed.exit(), failed.out() + failed.err());
            assertTrue(failed.err().startsWith("error: gitsource/" + src + ": sync failed: commit "), failed.err());
            assertTrue(failed.err().contains("stacks/broken.yaml:4:"), failed.err());

            assertEquals(1, h.etcd.cli("sync", "gitsource", h.name("nothere")).exit());
            operator.stopOperator();
            CliRun timeout = h.etcd.cli("sync", "gitsource", src, "--timeout", "1s");
            assertEquals(1, timeout.exit());
            assertTrue(timeout.err().contains("gitsource/" + src + ": no sync within 1s of the request"), timeout.err());
        }
    }
}
