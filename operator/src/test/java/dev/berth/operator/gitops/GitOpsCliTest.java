package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth get gitsources}, {@code berth describe gitsource} and {@code berth diff -f DIR}. */
class GitOpsCliTest {
    @Test
    void diffShowsCreatedChangedUnchangedAndDeletedWithoutWriting(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            String same = h.name("same");
            String edited = h.name("edited");
            String fresh = h.name("fresh");
            String gone = h.name("gone");
            h.apply(h.stack(same, 1));
            h.apply(h.stack(edited, 1));
            h.etcd.kv.put(h.etcd.keys.desired("stack", gone), GitAnnotations.inject(h.stack(gone, 1), "src", "abc123"));
            Files.writeString(dir.resolve("a.yaml"), h.stack(same, 1).replace("# a comment", "# another comment"));
            Files.writeString(dir.resolve("b.yaml"), h.stack(edited, 2));
            Files.writeString(dir.resolve("c.yaml"), h.stack(fresh, 1));
            Map<String, String> before = h.etcd.snapshot();

            CliRun diff = h.etcd.cli("diff", "-f", dir.toString(), "--gitsource", "src");
            assertEquals(1, diff.exit(), diff.out() + diff.err());
            assertTrue(diff.out().contains("stack/" + same + " unchanged"), diff.out());
            assertTrue(diff.out().contains("stack/" + edited + " changed\n--- " + h.etcd.keys.desired("stack", edited)
                    + "\n+++ " + dir.resolve("b.yaml") + "\n@@ "), diff.out());
            assertTrue(diff.out().contains("-      replicas: 1\n+      replicas: 2\n"), diff.out());
            assertTrue(diff.out().contains("stack/" + fresh + " created"), diff.out());
            assertTrue(diff.out().contains("stack/" + gone + " deleted"), diff.out());
            assertEquals(before, h.etcd.snapshot(), "diff writes nothing");

            Files.delete(dir.resolve("b.yaml"));
            Files.delete(dir.resolve("c.yaml"));
            CliRun clean = h.etcd.cli("diff", "-f", dir.resolve("a.yaml").toString());
            assertEquals(0, clean.exit(), clean.out());
        }
    }

    @Test
    void getAndDescribeShowTheSyncStatus(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String a = h.name("a");
            String commit = h.commitStack(repo, "a");
            String src = h.name("src");
            h.apply(h.gitSource(src, repo.url(), "interval: 1m"));
            CliRun pending = h.etcd.cli("get", "gitsources");
            assertTrue(pending.out().contains("Pending"), pending.out());
            h.startOperator("host-" + h.instance);
            h.awaitSynced(src, commit);

            CliRun get = h.etcd.cli("get", "gitsources");
            assertEquals(0, get.exit(), get.err());
            String[] lines = get.out().split("\n");
            assertTrue(lines[0].matches("NAME +URL +REF +STATUS +SYNCED COMMIT +LAST SYNC"), lines[0]);
            assertTrue(lines[1].matches(src + " +" + repo.url() + " +main +Synced +" + commit.substring(0, 12) + " +\\d+s"),
                    lines[1]);
            CliRun describe = h.etcd.cli("describe", "gs", src);
            assertEquals(0, describe.exit(), describe.err());
            assertTrue(describe.out().contains("Sync:        Synced (by host-" + h.instance), describe.out());
            assertTrue(describe.out().contains("Synced:      " + commit.substring(0, 12)), describe.out());
            assertTrue(describe.out().contains("Ready=True  CommitApplied"), describe.out());
        }
    }
}
