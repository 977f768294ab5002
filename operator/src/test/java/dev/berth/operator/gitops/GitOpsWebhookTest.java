package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push webhooks in the GitHub, Gitea and GitLab shapes: a valid signature syncs at once, anything else is refused. */
class GitOpsWebhookTest {
    private static final String SECRET = "hook-secret-123";

    private static HttpResponse<String> post(TestOperator operator, String source, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort()
                        + "/hooks/gitsource/" + source)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSignedPushSyncsAtOnceAndBadSignaturesAreRefused(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            Path secret = dir.resolve("hook-secret");
            Files.writeString(secret, SECRET + "\n");
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            String src = h.name("src");
            TestOperator operator = h.startOperator("host-" + h.instance);
            h.apply(h.gitSource(src, repo.url(), "interval: 1h\nwebhook: {secretFile: " + secret + "}"));
            h.awaitSynced(src, first);

            String b = h.name("b");
            String second = h.commitStack(repo, "b");
            String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + second + "\"}";
            String signature = "sha256=" + WebhookHandler.hmac(SECRET, body.getBytes(StandardCharsets.UTF_8));

            HttpResponse<String> unsigned = post(operator, src, body, "X-GitHub-Event", "push");
            assertEquals(401, unsigned.statusCode(), unsigned.body());
            HttpResponse<String> wrong = post(operator, src, body, "X-GitHub-Event", "push",
                    "X-Hub-Signature-256", "sha256=" + WebhookHandler.hmac("not-the-secret", body.getBytes(StandardCharsets.UTF_8)));
            assertEquals(403, wrong.statusCode(), wrong.body());
            HttpResponse<String> tampered = post(operator, src, body.replace("main", "evil"), "X-GitHub-Event", "push",
                    "X-Hub-Signature-256", signature);
            assertEquals(403, tampered.statusCode());
            HttpResponse<String> badToken = post(operator, src, body, "X-Gitlab-Event", "Push Hook",
                    "X-Gitlab-Token", "nope");
            assertEquals(403, badToken.statusCode());
            assertEquals(404, post(operator, h.name("unknown"), body, "X-Hub-Signature-256", signature).statusCode());
            assertEquals(first, h.status(src).orElseThrow().lastSyncedCommit(), "refused hooks trigger nothing");

            HttpResponse<String> ok = post(operator, src, body, "X-GitHub-Event", "push", "X-Hub-Signature-256", signature);
            assertEquals(202, ok.statusCode(), ok.body());
            // The interval is an hour: only the hook can sync it now. Unloaded it takes well under a second; the
            // deadline is for a machine shared by the whole suite (a speed figure is a benchmark's, not a test's).
            Await.until(Duration.ofSeconds(10), "b in etcd soon after the webhook (the interval is 1h)",
                    () -> h.stored("stack", b).isPresent(), () -> h.describe(src));
            h.awaitSynced(src, second);

            String c = h.name("c");
            h.commitStack(repo, "c");
            byte[] gitea = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
            assertEquals(202, post(operator, src, new String(gitea, StandardCharsets.UTF_8), "X-Gitea-Event", "push",
                    "X-Gitea-Signature", WebhookHandler.hmac(SECRET, gitea)).statusCode());
            Await.until(Duration.ofSeconds(5), "c synced by the Gitea-shaped hook", () -> h.stored("stack", c).isPresent());

            String d = h.name("d");
            h.commitStack(repo, "d");
            assertEquals(202, post(operator, src, "{}", "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET)
                    .statusCode());
            Await.until(Duration.ofSeconds(5), "d synced by the GitLab-shaped hook", () -> h.stored("stack", d).isPresent());
            assertEquals(200, post(operator, src, "{}", "X-GitHub-Event", "ping", "X-Hub-Signature-256",
                    "sha256=" + WebhookHandler.hmac(SECRET, "{}".getBytes(StandardCharsets.UTF_8))).statusCode());
        }
    }

    @Test
    void aWebhookThatReachesAFollowerIsHandedToTheLeader(@TempDir Path dir) throws Exception {
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            Path secret = dir.resolve("hook-secret");
            Files.writeString(secret, SECRET + "\n");
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            String src = h.name("src");
            TestOperator one = h.startOperator("one-" + h.instance);
            TestOperator two = h.startOperator("two-" + h.instance);
            h.apply(h.gitSource(src, repo.url(), "interval: 1h\nwebhook: {secretFile: " + secret + "}"));
            h.awaitSynced(src, first);
            Await.until(Duration.ofSeconds(30), "a leader", () -> one.metric("berth_leader", "election=\"gitops\"") == 1.0
                    || two.metric("berth_leader", "election=\"gitops\"") == 1.0);
            TestOperator follower = one.metric("berth_leader", "election=\"gitops\"") == 1.0 ? two : one;

            String b = h.name("b");
            String second = h.commitStack(repo, "b");
            String body = "{\"ref\":\"refs/heads/main\"}";
            HttpResponse<String> forwarded = post(follower, src, body, "X-GitHub-Event", "push",
                    "X-Hub-Signature-256", "sha256=" + WebhookHandler.hmac(SECRET, body.getBytes(StandardCharsets.UTF_8)));
            assertEquals(202, forwarded.statusCode(), forwarded.body());
            assertTrue(forwarded.body().contains("leader"), forwarded.body());
            Await.until(Duration.ofSeconds(5), "the leader synced b after a follower got the hook",
                    () -> h.stored("stack", b).isPresent(), () -> h.describe(src));
            h.awaitSynced(src, second);
        }
    }
}
