package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitOps against a real git repository (file://), the real etcd and the real dockerd. */
class GitOpsSyncTest {
    private GitOpsTestBed h;
    private TestOperator operator;
    private TestRepo repo;

    @BeforeEach
    void setUp(@TempDir Path dir) throws Exception {
        h = new GitOpsTestBed();
        repo = new TestRepo(dir);
        operator = h.startOperator("host-" + h.instance);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void commitChangeAndDeleteWithoutThenWithPrune() throws Exception {
        String src = h.name("src");
        String a = h.name("a");
        String b = h.name("b");
        repo.write("stacks/a.yaml", h.stack(a, 1));
        repo.write("stacks/b.yaml", h.stack(b, 1));
        repo.write("README.md", "not a manifest");
        repo.write("other/ignored.yaml", "not: [valid");
        String first = repo.commit("two stacks");
        h.apply(h.gitSource(src, repo.url(), "interval: 1s"));

        h.awaitSynced(src, first);
        h.awaitRunning(a, 1);
        h.awaitRunning(b, 1);
        String storedA = h.stored("stack", a).orElseThrow();
        assertTrue(storedA.contains("berth.dev/gitsource: \"" + src + "\""), storedA);
        assertTrue(storedA.contains("berth.dev/commit: \"" + first + "\""), storedA);
        assertTrue(storedA.contains("# a comment that stays in etcd"), "the text is kept as written: " + storedA);
        GitSourceStatus synced = h.status(src).orElseThrow();
        assertEquals(GitSourceStatus.SYNCED, synced.phase());
        assertEquals(List.of("stack/" + a, "stack/" + b), synced.objects());
        assertEquals(2, synced.applied());

        repo.write("stacks/a.yaml", h.stack(a, 2));
        String second = repo.commit("scale a");
        h.awaitSynced(src, second);
        h.awaitRunning(a, 2);
        assertTrue(h.stored("stack", a).orElseThrow().contains("berth.dev/commit: \"" + second + "\""));
        assertTrue(h.stored("stack", b).orElseThrow().contains("berth.dev/commit: \"" + first + "\""),
                "an object the commit did not change is not rewritten");

        repo.remove("stacks/b.yaml");
        String third = repo.commit("drop b");
        Await.until(GitOpsTestBed.WAIT, "b reported as an orphan", () -> h.status(src)
                .map(s -> third.equals(s.lastSyncedCommit()) && s.orphans().equals(List.of("stack/" + b))
                        && s.phase().equals(GitSourceStatus.OUT_OF_SYNC)).orElse(false), () -> h.describe(src));
        assertTrue(h.stored("stack", b).isPresent(), "without prune the object stays in etcd");
        assertEquals(1, h.running(b).size(), "and keeps running");

        h.apply(h.gitSource(src, repo.url(), "interval: 1s\nprune: true"));
        Await.until(GitOpsTestBed.WAIT, "b pruned", () -> h.stored("stack", b).isEmpty()
                && h.status(src).map(s -> s.phase().equals(GitSourceStatus.SYNCED) && s.pruned() == 1).orElse(false),
                () -> h.describe(src));
        h.awaitRunning(b, 0);
        assertEquals(2, h.running(a).size());

        assertTrue(operator.metric("berth_gitops_syncs_total", "source=\"" + src + "\"",
                "result=\"synced\"") >= 1);
        assertTrue(operator.metric("berth_gitops_last_success_timestamp_seconds",
                "source=\"" + src + "\"") > 1_600_000_000);
        assertEquals(1.0, operator.metric("berth_gitops_objects", "source=\"" + src + "\"",
                "state=\"synced\""));
    }

    @Test
    void brokenCommitAppliesNothingThenGoodCommitAndForcePushBackConverge() throws Exception {
        String src = h.name("src");
        String a = h.name("a");
        String c = h.name("c");
        String good = h.commitStack(repo, "a");
        h.apply(h.gitSource(src, repo.url(), "interval: 1s\nprune: true"));
        h.awaitSynced(src, good);
        h.awaitRunning(a, 1);
        long revisionOfA = h.etcd.kv.get(h.etcd.keys.desired("stack", a)).orElseThrow().modRevision();

        repo.write("stacks/a.yaml", h.stack(a, 2));
        repo.write("stacks/c.yaml", h.stack(c, 1));
        String bad = h.stack(h.name("bad"), 1).replace("replicas:", "replicaz:");
        repo.write("stacks/zz-bad.yaml", bad);
        int badLine = bad.substring(0, bad.indexOf("replicaz:")).split("\n", -1).length;
        String broken = repo.commit("one broken manifest among good ones");
        Await.until(GitOpsTestBed.WAIT, "Failed with file:line:column", () -> h.status(src)
                .map(s -> s.phase().equals(GitSourceStatus.FAILED) && broken.equals(s.lastAttemptedCommit()))
                .orElse(false), () -> h.describe(src));
        GitSourceStatus failed = h.status(src).orElseThrow();
        assertEquals(good, failed.lastSyncedCommit());
        assertTrue(failed.lastError().contains("stacks/zz-bad.yaml:" + badLine + ":7: spec.services[0].replicaz: unknown field"),
                failed.lastError());
        assertTrue(failed.lastError().contains(broken.substring(0, 12)), "the message names the commit");
        assertEquals("InvalidManifests", failed.conditions().stream().filter(x -> x.type().equals("Synced"))
                .findFirst().orElseThrow().reason());
        assertEquals(revisionOfA, h.etcd.kv.get(h.etcd.keys.desired("stack", a)).orElseThrow().modRevision(),
                "nothing applied: a is untouched");
        assertTrue(h.stored("stack", c).isEmpty(), "nothing applied: c was not created");

        repo.remove("stacks/zz-bad.yaml");
        String fixed = repo.commit("fix");
        h.awaitSynced(src, fixed);
        h.awaitRunning(a, 2);
        h.awaitRunning(c, 1);

        repo.forcePushBackTo(good);
        h.awaitSynced(src, good);
        Await.until(GitOpsTestBed.WAIT, "back to the old commit: c pruned, a at 1 replica",
                () -> h.stored("stack", c).isEmpty() && h.stored("stack", a).orElseThrow().contains("replicas: 1"));
        h.awaitRunning(a, 1);
        h.awaitRunning(c, 0);
        assertTrue(h.stored("stack", a).orElseThrow().contains("berth.dev/commit: \"" + good + "\""));
    }

    @Test
    void handEditsAreUndoneWithSelfHealAndReportedWithout() throws Exception {
        String healing = h.name("heal");
        String keeping = h.name("keep");
        String x = h.name("x");
        String y = h.name("y");
        repo.write("stacks/x.yaml", h.stack(x, 1));
        repo.write("other/y.yaml", h.stack(y, 1));
        String commit = repo.commit("x and y");
        h.apply(h.gitSource(healing, repo.url(), "interval: 1h"));
        h.apply(h.gitSource(keeping, repo.url(), "interval: 1h\nselfHeal: false").replace("path: stacks", "path: other"));
        h.awaitSynced(healing, commit);
        h.awaitSynced(keeping, commit);
        String xText = h.stored("stack", x).orElseThrow();
        String yText = h.stored("stack", y).orElseThrow();

        h.etcd.kv.put(h.etcd.keys.desired("stack", x), xText.replace("replicas: 1", "replicas: 3"));
        h.etcd.kv.put(h.etcd.keys.desired("stack", y), yText.replace("replicas: 1", "replicas: 3"));
        Await.until(GitOpsTestBed.WAIT, "x put back by self-heal", () -> h.stored("stack", x).orElseThrow().equals(xText)
                && h.status(healing).map(s -> s.selfHealed() >= 1).orElse(false), () -> h.describe(healing));
        Await.until(GitOpsTestBed.WAIT, "y reported OutOfSync", () -> h.status(keeping)
                .map(s -> s.phase().equals(GitSourceStatus.OUT_OF_SYNC) && s.outOfSync().equals(List.of("stack/" + y)))
                .orElse(false), () -> h.describe(keeping));
        assertTrue(h.stored("stack", y).orElseThrow().contains("replicas: 3"), "without self-heal the edit stays");
        h.awaitRunning(y, 3);
        assertTrue(operator.metric("berth_gitops_self_heals_total", "source=\"" + healing + "\"") >= 1);
        assertEquals(1.0, operator.metric("berth_gitops_objects", "source=\"" + keeping + "\"",
                "state=\"outofsync\""));

        // A stack applied by hand is never overwritten by a source without force: a conflict, nothing applied.
        String manual = h.name("manual");
        h.apply(h.stack(manual, 1));
        String manualText = h.stored("stack", manual).orElseThrow();
        repo.write("stacks/manual.yaml", h.stack(manual, 2));
        repo.write("stacks/x.yaml", h.stack(x, 2));
        String conflicting = repo.commit("declares a hand-applied stack");
        h.apply(h.gitSource(healing, repo.url(), "interval: 1s"));
        Await.until(GitOpsTestBed.WAIT, "conflict reported", () -> h.status(healing)
                .map(s -> conflicting.equals(s.lastAttemptedCommit()) && s.phase().equals(GitSourceStatus.FAILED)
                        && s.conflicts().size() == 1 && s.conflicts().get(0).startsWith("stack/" + manual))
                .orElse(false), () -> h.describe(healing));
        assertEquals(manualText, h.stored("stack", manual).orElseThrow());
        assertEquals(xText, h.stored("stack", x).orElseThrow(), "all or nothing: x was not changed either");

        h.apply(h.gitSource(healing, repo.url(), "interval: 1s\nforce: true"));
        h.awaitSynced(healing, conflicting);
        assertTrue(h.stored("stack", manual).orElseThrow().contains("berth.dev/gitsource: \"" + healing + "\""));
        assertFalse(h.stored("stack", x).orElseThrow().contains("replicas: 1"));
    }
}
