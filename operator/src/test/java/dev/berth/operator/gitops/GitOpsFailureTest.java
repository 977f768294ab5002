package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unreachable repository, bad or missing credentials, an empty commit: Failed with a reason, nothing deleted. */
class GitOpsFailureTest {
    private static void awaitFailed(GitOpsTestBed h, String src, String reason) {
        Await.until(GitOpsTestBed.WAIT, src + " Failed with " + reason, () -> h.status(src)
                .map(s -> s.phase().equals(GitSourceStatus.FAILED) && s.conditions().stream()
                        .anyMatch(c -> c.type().equals("Synced") && c.reason().equals(reason))).orElse(false),
                () -> h.describe(src));
    }

    @Test
    void unreachableRepositoryAndBadCredentialsFailClearlyAndDeleteNothing(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            String a = h.name("a");
            String commit = h.commitStack(repo, "a");
            Path password = dir.resolve("password");
            Files.writeString(password, "s3cret-pw\n");
            Path wrong = dir.resolve("wrong");
            Files.writeString(wrong, "not-the-password\n");
            h.startOperator("host-" + h.instance);
            try (DumbGitHttpServer http = new DumbGitHttpServer(repo.origin, "berth", "s3cret-pw")) {
                String src = h.name("src");
                String creds = "credentials: {username: berth, passwordFile: %s}\ninterval: 1s\nprune: true";
                h.apply(h.gitSource(src, http.url(), creds.formatted(password)));
                h.awaitSynced(src, commit);
                h.awaitRunning(a, 1);

                h.apply(h.gitSource(src, http.url(), creds.formatted(wrong)));
                awaitFailed(h, src, "AuthenticationFailed");
                GitSourceStatus status = h.status(src).orElseThrow();
                assertTrue(status.lastError().contains(http.url()), status.lastError());
                assertEquals(commit, status.lastSyncedCommit());

                h.apply(h.gitSource(src, http.url(), "credentials: {passwordEnv: BERTH_SECRET_TEST_NO_SUCH_VARIABLE}\n"
                        + "interval: 1s\nprune: true"));
                awaitFailed(h, src, "CredentialsUnavailable");
                assertTrue(h.status(src).orElseThrow().lastError()
                        .contains("environment variable BERTH_SECRET_TEST_NO_SUCH_VARIABLE is not set"));

                h.apply(h.gitSource(src, "http://127.0.0.1:1/nowhere.git", "interval: 1s\nprune: true"));
                awaitFailed(h, src, "RepositoryUnreachable");
                assertTrue(h.status(src).orElseThrow().lastError().contains("cannot fetch http://127.0.0.1:1/nowhere.git"),
                        h.describe(src));

                assertTrue(h.stored("stack", a).isPresent(), "never delete on doubt: a is still in etcd");
                assertEquals(1, h.running(a).size(), "and still runs");
                String everything = h.etcd.snapshot().toString();
                assertFalse(everything.contains("s3cret-pw"), "the password is nowhere in etcd");
                assertFalse(everything.contains("not-the-password"), "the wrong one neither");
            }
        }
    }

    @Test
    void anEmptyCommitNeverPrunesUnlessAllowed(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            String src = h.name("src");
            h.startOperator("host-" + h.instance);
            h.apply(h.gitSource(src, repo.url(), "interval: 1s\nprune: true"));
            h.awaitSynced(src, first);

            repo.remove("stacks/a.yaml");
            repo.write("stacks/notes.txt", "manifests moved elsewhere");
            String empty = repo.commit("no manifests");
            awaitFailed(h, src, "EmptyCommit");
            assertTrue(h.stored("stack", a).isPresent(), "an empty commit prunes nothing");

            h.apply(h.gitSource(src, repo.url(), "interval: 1s\nprune: true\nallowEmpty: true"));
            h.awaitSynced(src, empty);
            Await.until(GitOpsTestBed.WAIT, "a pruned once empty commits are allowed", () -> h.stored("stack", a).isEmpty());
        }
    }
}
