package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.TestOperator;
import dev.berth.operator.secrets.SecretKeyring;
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

/**
 * Secrets and GitOps: a repository password and a webhook secret read from encrypted Secrets, and Secrets kept in
 * git (only encrypted, only when they decrypt with the operator's key). Real repositories, an authenticating git
 * HTTP server on loopback, the real etcd.
 */
class GitOpsSecretsTest {
    private static final String PASSWORD = "s3cret-pw-from-a-Secret";
    private static final String HOOK = "hook-secret-from-a-Secret";

    private static Path keyFile(Path dir) throws Exception {
        Path file = dir.resolve("cluster.key");
        Files.writeString(file, "# test cluster key\n" + SecretKeyring.newKeyLine() + "\n");
        return file;
    }

    private static String secret(SecretKeyring keyring, String name, String key, String value) {
        return Manifest.of("Secret", name, "encryptedData:\n  " + key + ": "
                + keyring.encrypt(name, key, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static void awaitFailed(GitOpsTestBed h, String src, String reason) {
        Await.until(GitOpsTestBed.WAIT, src + " Failed with " + reason, () -> h.status(src)
                .map(s -> s.phase().equals(GitSourceStatus.FAILED) && s.conditions().stream()
                        .anyMatch(c -> c.type().equals("Synced") && c.reason().equals(reason))).orElse(false),
                () -> h.describe(src));
    }

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
    void thePasswordAndTheWebhookSecretComeFromSecretsAndAFixedSecretRecovers(@TempDir Path dir) throws Exception {
        Path key = keyFile(dir);
        SecretKeyring keyring = SecretKeyring.load(key);
        try (GitOpsTestBed h = new GitOpsTestBed(b -> b.secretKeyFile(key))) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            String a = h.name("a");
            String first = h.commitStack(repo, "a");
            TestOperator operator = h.startOperator("host-" + h.instance);
            String creds = h.name("git");
            String hooks = h.name("hooks");
            h.apply(secret(keyring, creds, "password", PASSWORD));
            h.apply(secret(keyring, hooks, "github", HOOK));
            try (DumbGitHttpServer http = new DumbGitHttpServer(repo.origin, "berth", PASSWORD)) {
                String src = h.name("src");
                // interval 1h: only the Secret's change (and the webhook) can make it fetch again soon.
                h.apply(h.gitSource(src, http.url(), "interval: 1h\nprune: true\n"
                        + "credentials: {username: berth, passwordSecretRef: {name: " + creds + ", key: password}}\n"
                        + "webhook: {secretRef: {name: " + hooks + ", key: github}}"));
                h.awaitSynced(src, first);
                h.awaitRunning(a, 1);

                // The webhook checks signatures with the Secret's value.
                String b = h.name("b");
                String second = h.commitStack(repo, "b");
                String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + second + "\"}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> wrong = post(operator, src, body, "X-GitHub-Event", "push",
                        "X-Hub-Signature-256", "sha256=" + WebhookHandler.hmac("not-" + HOOK, bytes));
                assertEquals(403, wrong.statusCode(), wrong.body());
                assertEquals(401, post(operator, src, body, "X-GitHub-Event", "push").statusCode());
                assertEquals(first, h.status(src).orElseThrow().lastSyncedCommit(), "refused hooks sync nothing");
                HttpResponse<String> ok = post(operator, src, body, "X-GitHub-Event", "push",
                        "X-Hub-Signature-256", "sha256=" + WebhookHandler.hmac(HOOK, bytes));
                assertEquals(202, ok.statusCode(), ok.body());
                h.awaitSynced(src, second);
                assertTrue(h.stored("stack", b).isPresent());

                // A wrong password in the Secret: the next fetch (asked for by the Secret's change) is refused.
                h.apply(secret(keyring, creds, "password", "not-the-password"));
                awaitFailed(h, src, "AuthenticationFailed");
                GitSourceStatus failed = h.status(src).orElseThrow();
                assertEquals(second, failed.lastSyncedCommit());
                assertTrue(h.stored("stack", a).isPresent() && h.stored("stack", b).isPresent(),
                        "never delete on doubt");

                // A reference to a key the Secret does not have names the secret and the key.
                String missing = h.name("missing");
                h.apply(h.gitSource(missing, http.url(), "interval: 1h\n"
                        + "credentials: {username: berth, passwordSecretRef: {name: " + creds + ", key: token}}"));
                awaitFailed(h, missing, "CredentialsUnavailable");
                String error = h.status(missing).orElseThrow().lastError();
                assertTrue(error.contains("secret/" + creds + " key \"token\"") && error.contains("no such key"), error);

                // Fixing the Secret recovers at once, with a commit pushed meanwhile.
                String c = h.name("c");
                String third = h.commitStack(repo, "c");
                h.apply(secret(keyring, creds, "password", PASSWORD));
                h.awaitSynced(src, third);
                assertTrue(h.stored("stack", c).isPresent());

                String everything = h.etcd.snapshot().toString();
                assertFalse(everything.contains(PASSWORD), "the password is nowhere in etcd in clear");
                assertFalse(everything.contains(HOOK), "nor the webhook secret");
                assertFalse(everything.contains("not-the-password"), "nor the wrong one");
            }
        }
    }

    @Test
    void fileReferencesMustBeInsideTheSecretsDir(@TempDir Path dir) throws Exception {
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        Path outside = dir.resolve("password");
        Files.writeString(outside, PASSWORD + "\n");
        Path link = secretsDir.resolve("link-to-outside");
        Files.createSymbolicLink(link, outside);
        Path inside = secretsDir.resolve("git-password");
        Files.writeString(inside, PASSWORD + "\n");
        try (GitOpsTestBed h = new GitOpsTestBed(b -> b.secretsDir(secretsDir))) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            String a = h.name("a");
            String commit = h.commitStack(repo, "a");
            TestOperator operator = h.startOperator("host-" + h.instance);
            try (DumbGitHttpServer http = new DumbGitHttpServer(repo.origin, "berth", PASSWORD)) {
                String creds = "credentials: {username: berth, passwordFile: %s}\ninterval: 1s";
                String src = h.name("src");
                h.apply(h.gitSource(src, http.url(), creds.formatted(outside)));
                awaitFailed(h, src, "CredentialsUnavailable");
                String error = h.status(src).orElseThrow().lastError();
                assertTrue(error.contains("file " + outside + " is outside the operator's --secrets-dir ("
                        + secretsDir + ")"), error);

                h.apply(h.gitSource(src, http.url(), creds.formatted(link)));
                Await.until(GitOpsTestBed.WAIT, "the link refused", () -> h.status(src).map(s -> String.valueOf(
                        s.lastError()).contains("file " + link + " is outside")).orElse(false), () -> h.describe(src));
                awaitFailed(h, src, "CredentialsUnavailable");

                // A webhook secret outside is not read either: the hook is refused.
                String hooked = h.name("hooked");
                TestRepo other = new TestRepo(dir.resolve("other"));
                String otherCommit = h.commitStack(other, "other");
                h.apply(h.gitSource(hooked, other.url(), "interval: 1h\nwebhook: {secretFile: " + outside + "}"));
                h.awaitSynced(hooked, otherCommit);
                String body = "{}";
                HttpResponse<String> refused = post(operator, hooked, body, "X-GitHub-Event", "push",
                        "X-Hub-Signature-256", "sha256=" + WebhookHandler.hmac(PASSWORD,
                                body.getBytes(StandardCharsets.UTF_8)));
                assertEquals(403, refused.statusCode(), refused.body());

                h.apply(h.gitSource(src, http.url(), creds.formatted(inside)));
                h.awaitSynced(src, commit);
            }
        }
    }

    @Test
    void aSecretInGitMustBeEncryptedForThisClusterAndNothingElseOfTheCommitIsApplied(@TempDir Path dir)
            throws Exception {
        Path key = keyFile(dir);
        SecretKeyring keyring = SecretKeyring.load(key);
        SecretKeyring otherCluster = SecretKeyring.load(keyFile(Files.createDirectories(dir.resolve("other"))));
        try (GitOpsTestBed h = new GitOpsTestBed(b -> b.secretKeyFile(key))) {
            TestRepo repo = new TestRepo(dir.resolve("repo"));
            String a = h.name("a");
            String db = h.name("db");
            repo.write("stacks/a.yaml", h.stack(a, 1));
            repo.write("stacks/db-secret.yaml", "# the database password\n"
                    + Manifest.of("Secret", db, "stringData:\n  password: hunter2-in-git"));
            String plain = repo.commit("a plain secret");
            h.startOperator("host-" + h.instance);
            String src = h.name("src");
            h.apply(h.gitSource(src, repo.url(), "interval: 1s\nprune: true"));
            awaitFailed(h, src, "InvalidManifests");
            GitSourceStatus status = h.status(src).orElseThrow();
            assertEquals(plain, status.lastAttemptedCommit());
            assertTrue(status.lastError().contains("stacks/db-secret.yaml:8:5: spec.stringData: a Secret in git must"
                    + " not hold plain values"), status.lastError());
            assertTrue(h.stored("stack", a).isEmpty(), "nothing of the commit is applied: " + h.stored("stack", a));
            assertTrue(h.stored("secret", db).isEmpty());

            // Encrypted for another Secret name, and with another cluster's key: refused at their lines.
            repo.write("stacks/db-secret.yaml", Manifest.of("Secret", db, "encryptedData:\n"
                    + "  password: " + keyring.encrypt("someone-else", "password", "x".getBytes(StandardCharsets.UTF_8))
                    + "\n  token: " + otherCluster.encrypt(db, "token", "y".getBytes(StandardCharsets.UTF_8))));
            String foreign = repo.commit("secrets that do not decrypt here");
            Await.until(GitOpsTestBed.WAIT, "the foreign secret refused", () -> h.status(src)
                    .map(s -> foreign.equals(s.lastAttemptedCommit()) && s.conditions().stream()
                            .anyMatch(c -> c.reason().equals("SecretUndecryptable"))).orElse(false),
                    () -> h.describe(src));
            status = h.status(src).orElseThrow();
            String errors = String.join("\n", status.errors());
            assertTrue(errors.contains("stacks/db-secret.yaml:7:15: spec.encryptedData.password: secret/" + db
                    + " key \"password\" does not decrypt"), errors);
            assertTrue(errors.contains("stacks/db-secret.yaml:8:12: spec.encryptedData.token: secret/" + db
                    + " key \"token\" was encrypted with key " + otherCluster.newestKeyId()), errors);
            assertTrue(h.stored("stack", a).isEmpty() && h.stored("secret", db).isEmpty(), "still nothing applied");

            String envelope = keyring.encrypt(db, "password", "hunter3".getBytes(StandardCharsets.UTF_8));
            repo.write("stacks/db-secret.yaml", Manifest.of("Secret", db, "encryptedData:\n  password: " + envelope));
            String encrypted = repo.commit("the encrypted form");
            h.awaitSynced(src, encrypted);
            String stored = h.stored("secret", db).orElseThrow();
            assertTrue(stored.contains(envelope), stored);
            assertFalse(stored.contains("hunter3") || stored.contains("stringData"), stored);
            assertTrue(h.stored("stack", a).isPresent());
        }
    }
}
