package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two operators on one etcd: only the elected one syncs; when it goes, the other takes over within the lease time. */
class GitOpsLeaderTest {
    private static boolean leads(TestOperator operator) {
        return operator.metric("berth_leader", "election=\"gitops\"") == 1.0;
    }

    @Test
    void onlyTheLeaderSyncsAndAnotherTakesOver(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            String src = h.name("src");
            h.apply(h.gitSource(src, repo.url(), "interval: 1s"));
            TestOperator one = h.startOperator("one-" + h.instance);
            TestOperator two = h.startOperator("two-" + h.instance);
            Await.until(Duration.ofSeconds(60), "a gitops leader", () -> leads(one) || leads(two));
            h.awaitSynced(src, first);
            TestOperator leader = leads(one) ? one : two;
            TestOperator follower = leader == one ? two : one;
            String leaderHost = leader == one ? "one-" + h.instance : "two-" + h.instance;
            String followerHost = leader == one ? "two-" + h.instance : "one-" + h.instance;
            assertEquals(List.of(true, false), List.of(leads(leader), leads(follower)), "exactly one leader");
            assertEquals(leaderHost, h.status(src).orElseThrow().host());

            String b = h.name("b");
            String second = h.commitStack(repo, "b");
            h.awaitSynced(src, second);
            assertEquals(0.0, follower.metric("berth_gitops_syncs_total"), "the follower never synced");

            long start = System.nanoTime();
            leader.stopOperator();
            Await.until(Duration.ofSeconds(5 + 5), "the follower leads within the lease time (5 s)", () -> leads(follower));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            String c = h.name("c");
            String third = h.commitStack(repo, "c");
            h.awaitSynced(src, third);
            assertEquals(followerHost, h.status(src).orElseThrow().host(), "synced by the new leader after " + tookMillis + " ms");
        }
    }
}
