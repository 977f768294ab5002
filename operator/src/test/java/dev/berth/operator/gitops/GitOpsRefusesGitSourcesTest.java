package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GitSource pushed to a synced repository could read the operator's secret files: the commit is refused. */
class GitOpsRefusesGitSourcesTest {
    @Test
    void aCommitWithAGitSourceAppliesNothing(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir);
            String a = h.name("a");
            repo.write("stacks/a.yaml", h.stack(a, 1));
            String evil = h.name("evil");
            repo.write("stacks/evil.yaml", h.gitSource(evil, "http://127.0.0.1:1/x.git",
                    "credentials: {passwordFile: /etc/shadow}"));
            repo.commit("a and a GitSource");
            String src = h.name("src");
            h.startOperator("host-" + h.instance);
            h.apply(h.gitSource(src, repo.url(), "interval: 1s"));
            Await.until(GitOpsTestBed.WAIT, "the commit refused", () -> h.status(src)
                    .map(s -> s.phase().equals(GitSourceStatus.FAILED)).orElse(false), () -> h.describe(src));
            assertTrue(h.describe(src).contains("GitSource objects are not synced from git"), h.describe(src));
            assertTrue(h.describe(src).contains("stacks/evil.yaml:"), h.describe(src));
            assertTrue(h.stored("stack", a).isEmpty(), "nothing of the commit applied");
            assertTrue(h.stored("gitsource", evil).isEmpty());
        }
    }
}
