package dev.berth.operator.gitops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.crds.gitops.GitWebhook;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /hooks/gitsource/<name>}: a push webhook that makes the leader fetch and sync that source at once.
 * Accepted signatures (the secret comes from the source's {@code spec.webhook}: a Secret key, decrypted for this
 * request only, a file in {@code --secrets-dir} or a {@code BERTH_SECRET_…} environment variable):
 * GitHub {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}, Gitea {@code X-Gitea-Signature: <hex>}
 * (same HMAC), GitLab {@code X-Gitlab-Token: <secret>}. Compared in constant time. No signature: 401; a wrong one:
 * 403; both logged with the source and the client address, never the secret. Ping events answer 200 and sync nothing.
 */
final class WebhookHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
    static final String PATH = "/hooks/gitsource/";
    private static final int MAX_BODY = 1024 * 1024;

    /** What the handler needs from the runtime. */
    interface Sources {
        /** The spec of a known, valid source. */
        Optional<GitSourceSpec> spec(String name);

        boolean leader();

        void trigger(String name);

        /** Asks the leader, wherever it runs, to sync (through etcd). */
        void forward(String name);
    }

    private final Sources sources;
    private final SecretRef secrets;

    WebhookHandler(Sources sources, SecretRef secrets) {
        this.sources = sources;
        this.secrets = secrets;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring(PATH.length());
            String client = ex.getRemoteAddress() == null ? "?" : ex.getRemoteAddress().getAddress().getHostAddress();
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "POST only\n");
                return;
            }
            byte[] body = readBody(ex.getRequestBody());
            if (body == null) {
                reply(ex, 413, "body over " + MAX_BODY + " bytes\n");
                return;
            }
            Optional<GitSourceSpec> spec = name.isEmpty() || name.contains("/") ? Optional.empty() : sources.spec(name);
            if (spec.isEmpty()) {
                log.warn("webhook refused: unknown gitsource \"{}\" (from {})", name, client);
                reply(ex, 404, "no such gitsource\n");
                return;
            }
            GitWebhook hook = spec.get().webhook();
            Optional<String> secret;
            try {
                secret = hook == null ? Optional.empty()
                        : secrets.read(hook.secretFile(), hook.secretEnv(), hook.secretRef(), "webhook secret");
            } catch (GitSyncException e) {
                log.warn("webhook for gitsource/{} refused: {} (from {})", name, e.getMessage(), client);
                reply(ex, 403, "webhook secret unavailable\n");
                return;
            }
            if (secret.isEmpty()) {
                log.warn("webhook for gitsource/{} refused: the source has no webhook secret (from {})", name, client);
                reply(ex, 403, "webhook not enabled for this source\n");
                return;
            }
            Verdict verdict = verify(ex, body, secret.get());
            if (verdict != Verdict.OK) {
                log.warn("webhook for gitsource/{} refused: {} signature (from {})", name,
                        verdict == Verdict.MISSING ? "missing" : "wrong", client);
                reply(ex, verdict == Verdict.MISSING ? 401 : 403, verdict == Verdict.MISSING
                        ? "signature required\n" : "bad signature\n");
                return;
            }
            String event = event(ex);
            if (event.equals("ping")) {
                reply(ex, 200, "pong\n");
                return;
            }
            if (!sources.leader()) {
                log.info("webhook for gitsource/{}: {} event, asking the leader to sync", name, event);
                sources.forward(name);
                reply(ex, 202, "sync requested from the leader\n");
                return;
            }
            log.info("webhook for gitsource/{}: {} event, syncing now", name, event);
            sources.trigger(name);
            reply(ex, 202, "sync triggered\n");
        }
    }

    enum Verdict { OK, MISSING, WRONG }

    static Verdict verify(HttpExchange ex, byte[] body, String secret) {
        String github = ex.getRequestHeaders().getFirst("X-Hub-Signature-256");
        String gitea = ex.getRequestHeaders().getFirst("X-Gitea-Signature");
        String gitlab = ex.getRequestHeaders().getFirst("X-Gitlab-Token");
        if (github != null) {
            if (!github.startsWith("sha256=")) {
                return Verdict.WRONG;
            }
            return same(hmac(secret, body), github.substring(7).toLowerCase(Locale.ROOT)) ? Verdict.OK : Verdict.WRONG;
        }
        if (gitea != null) {
            return same(hmac(secret, body), gitea.strip().toLowerCase(Locale.ROOT)) ? Verdict.OK : Verdict.WRONG;
        }
        if (gitlab != null) {
            return same(secret, gitlab) ? Verdict.OK : Verdict.WRONG;
        }
        return Verdict.MISSING;
    }

    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison (MessageDigest.isEqual does not stop at the first difference). */
    private static boolean same(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static String event(HttpExchange ex) {
        for (String header : new String[] {"X-GitHub-Event", "X-Gitea-Event", "X-Gitlab-Event"}) {
            String value = ex.getRequestHeaders().getFirst(header);
            if (value != null) {
                return value.strip().toLowerCase(Locale.ROOT);
            }
        }
        return "push";
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    private static void reply(HttpExchange ex, int code, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
