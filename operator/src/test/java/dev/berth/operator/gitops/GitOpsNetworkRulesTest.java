package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import dev.berth.operator.store.StoreException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules across Networks (unique VNI, no overlapping subnets) hold for a sync as for berth apply: a commit that
 * breaks them, within itself or against what etcd holds, applies nothing and says where in its status.
 */
class GitOpsNetworkRulesTest {
    private static String network(String name, int vni, String subnet) {
        return "apiVersion: berth.dev/v1\nkind: Network\nmetadata:\n  name: " + name + "\nspec:\n  vni: " + vni
                + "\n  subnet: " + subnet + "\n";
    }

    private static void awaitFailedAt(GitOpsTestBed h, String src, String commit) {
        Await.until(GitOpsTestBed.WAIT, "the commit refused", () -> h.status(src)
                .map(s -> s.phase().equals(GitSourceStatus.FAILED) && commit.equals(s.lastAttemptedCommit()))
                .orElse(false), () -> h.describe(src));
    }

    @Test
    void overlappingNetworksInACommitApplyNothing(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String a = h.name("a");
            String b = h.name("b");
            String web = h.name("web");
            repo.write("stacks/web.yaml", h.stack(web, 1));
            repo.write("stacks/a.yaml", network(a, 4001, "10.231.0.0/16"));
            repo.write("stacks/b.yaml", network(b, 4002, "10.231.128.0/17"));
            String commit = repo.commit("two overlapping networks");
            String src = h.name("src");
            h.startOperator("host-" + h.instance);
            h.apply(h.gitSource(src, repo.url(), "interval: 1s"));

            awaitFailedAt(h, src, commit);
            GitSourceStatus failed = h.status(src).orElseThrow();
            assertTrue(failed.lastError().contains("stacks/b.yaml:7:11: spec.subnet: subnet 10.231.128.0/17 overlaps"
                    + " 10.231.0.0/16 of network \"" + a + "\" (stacks/a.yaml:7)"), failed.lastError());
            assertEquals("InvalidManifests", failed.conditions().stream().filter(c -> c.type().equals("Synced"))
                    .findFirst().orElseThrow().reason());
            assertEquals(1, failed.errors().size(), failed.errors().toString());
            assertTrue(h.stored("stack", web).isEmpty(), "nothing of the commit applied");
            assertTrue(h.stored("network", a).isEmpty());
            assertTrue(h.stored("network", b).isEmpty());
        }
    }

    @Test
    void aNetworkThatCollidesWithOneInEtcdAppliesNothingUntilFixed(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String web = h.name("web");
            String mine = h.name("mine");
            repo.write("stacks/web.yaml", h.stack(web, 1));
            repo.write("stacks/mine.yaml", network(mine, 4003, "10.233.0.0/16"));
            String commit = repo.commit("a VNI that is taken");
            h.startOperator("host-" + h.instance);
            String byHand = h.name("byhand");
            // The first etcd calls of a JVM can take seconds on a loaded machine; applying is idempotent, so retry.
            Await.until(GitOpsTestBed.WAIT, "the network applied by hand", () -> {
                try {
                    h.apply(network(byHand, 4003, "10.232.0.0/16"));
                    return true;
                } catch (StoreException e) {
                    return false;
                }
            });
            String src = h.name("src");
            h.apply(h.gitSource(src, repo.url(), "interval: 1s"));

            awaitFailedAt(h, src, commit);
            assertTrue(h.status(src).orElseThrow().lastError().contains("stacks/mine.yaml:6:8: spec.vni: VNI 4003 is"
                    + " already used by network \"" + byHand + "\""), h.describe(src));
            assertTrue(h.stored("stack", web).isEmpty(), "nothing of the commit applied");
            assertTrue(h.stored("network", mine).isEmpty());

            repo.write("stacks/mine.yaml", network(mine, 4004, "10.233.0.0/16"));
            String fixed = repo.commit("a free VNI");
            h.awaitSynced(src, fixed);
            assertTrue(h.stored("network", mine).orElseThrow().contains("vni: 4004"));
            assertTrue(h.stored("stack", web).isPresent());
        }
    }
}
