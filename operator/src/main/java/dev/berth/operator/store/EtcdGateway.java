package dev.berth.operator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * etcd's reads over its HTTP/JSON gateway ({@code POST /v3/kv/range}, served on the same client port as gRPC), for
 * commands that only read: setting up gRPC and Netty costs a short command most of a second, a plain HTTP request a
 * few milliseconds (BENCHMARKS.md, "CLI start"). The same settings as the gRPC client: endpoints tried in order, the
 * same TLS files (checked the same way) and user; refusals come back as {@link EtcdGatewayException} with etcd's own
 * gRPC code and words, which {@link EtcdRefusals} reads as it reads gRPC's.
 */
public final class EtcdGateway implements EtcdKv.Ranges, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MILLIS = 3_000;

    private final EtcdSettings settings;
    private final SSLContext ssl;
    /**
     * Requests run on these threads, so {@link EtcdKv}'s timeout and messages apply as to gRPC's futures; a few at
     * once, as many as Java keeps connections open to one server (http.maxConnections, 5).
     */
    private final ExecutorService requests = Executors.newFixedThreadPool(4, r -> {
        Thread thread = new Thread(r, "etcd-gateway");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String token;
    /** The endpoint that answered last: tried first. */
    private volatile int current;

    private EtcdGateway(EtcdSettings settings, SSLContext ssl) {
        this.settings = settings;
        this.ssl = ssl;
    }

    /** @throws EtcdRefusedException naming a TLS file that is missing, unreadable, or not what it should be */
    public static EtcdGateway open(EtcdSettings settings) {
        EtcdConnector.checkUser(settings);
        SSLContext ssl = null;
        if (settings.caCert() != null || settings.cert() != null || settings.key() != null) {
            ssl = EtcdTlsFiles.read(settings.caCert(), settings.cert(), settings.key(), Instant.now()).sslContext();
        }
        return new EtcdGateway(settings, ssl);
    }

    @Override
    public CompletableFuture<EtcdKv.Listing> range(String key, boolean prefix, boolean countOnly) {
        ObjectNode request = JSON.createObjectNode();
        request.put("key", base64(key.getBytes(StandardCharsets.UTF_8)));
        if (prefix) {
            request.put("range_end", base64(prefixEnd(key.getBytes(StandardCharsets.UTF_8))));
            request.put("sort_order", "ASCEND");
            request.put("sort_target", "KEY");
        }
        if (countOnly) {
            request.put("count_only", true);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return listing(post("/v3/kv/range", request, true));
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, requests);
    }

    @Override
    public void close() {
        requests.shutdownNow();
    }

    private static EtcdKv.Listing listing(JsonNode response) {
        List<StoredValue> values = new ArrayList<>();
        for (JsonNode kv : response.path("kvs")) {
            byte[] value = Base64.getDecoder().decode(kv.path("value").asText(""));
            values.add(new StoredValue(new String(Base64.getDecoder().decode(kv.path("key").asText("")),
                    StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8), kv.path("mod_revision").asLong(),
                    kv.path("create_revision").asLong(), kv.path("version").asLong(),
                    io.etcd.jetcd.ByteSequence.from(value)));
        }
        return new EtcdKv.Listing(values, response.path("header").path("revision").asLong());
    }

    /** One request, on the endpoint that answered last, then on the others while they cannot be reached. */
    private JsonNode post(String path, JsonNode body, boolean authenticated) throws IOException {
        if (authenticated && settings.user() != null && !settings.user().isBlank() && token == null) {
            authenticate();
        }
        IOException unreachable = null;
        List<String> endpoints = settings.endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            int at = (current + i) % endpoints.size();
            try {
                JsonNode answer = post(endpoints.get(at), path, body, authenticated ? token : null);
                current = at;
                return answer;
            } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
                unreachable = e;
            } catch (SocketTimeoutException e) {
                if (!String.valueOf(e.getMessage()).contains("connect")) {
                    throw e;
                }
                unreachable = e;
            }
        }
        throw unreachable;
    }

    private void authenticate() throws IOException {
        ObjectNode request = JSON.createObjectNode();
        request.put("name", settings.user());
        request.put("password", settings.password());
        String answer = post("/v3/auth/authenticate", request, false).path("token").asText("");
        if (answer.isEmpty()) {
            throw new EtcdGatewayException(16, "etcdserver: authentication failed, no token");
        }
        token = answer;
    }

    private JsonNode post(String endpoint, String path, JsonNode body, String bearer) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(endpoint + path).openConnection();
        if (connection instanceof HttpsURLConnection https && ssl != null) {
            https.setSSLSocketFactory(ssl.getSocketFactory());
        }
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        // EtcdKv bounds the whole request; this only keeps a thread from waiting forever on a silent peer
        connection.setReadTimeout((int) Math.max(settings.timeout().toMillis(), EtcdKv.CONNECT_AT_LEAST.toMillis()));
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/json");
        if (bearer != null) {
            connection.setRequestProperty("Authorization", bearer);
        }
        try (OutputStream out = connection.getOutputStream()) {
            JSON.writeValue(out, body);
        }
        int status = connection.getResponseCode();
        InputStream stream = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        byte[] answer = stream == null ? new byte[0] : stream.readAllBytes();
        if (status == 200) {
            return JSON.readTree(answer);
        }
        throw error(status, new String(answer, StandardCharsets.UTF_8));
    }

    /** etcd's error body: {@code {"error"|"message": "...", "code": <gRPC code>}}; anything else is said as it came. */
    private static IOException error(int status, String body) {
        try {
            JsonNode error = JSON.readTree(body);
            String message = error.path("message").asText(error.path("error").asText(""));
            if (!message.isEmpty()) {
                return new EtcdGatewayException(error.path("code").asInt(), message);
            }
        } catch (IOException notJson) {
            // said as it came, below
        }
        if (status == 404) {
            return new EtcdGatewayException(EtcdGatewayException.NOT_SERVED, "etcd serves no HTTP gateway here (HTTP"
                    + " 404; --enable-grpc-gateway=false?)");
        }
        if (body.contains("CommonName of client sending a request against gateway")) {
            // etcd's gateway refuses client certificates whose CN would name a user: only gRPC takes them
            return new EtcdGatewayException(EtcdGatewayException.NOT_SERVED, "etcd's HTTP gateway refuses this client"
                    + " certificate: " + body.strip());
        }
        return new IOException("HTTP " + status + ": " + body.strip());
    }

    /**
     * Whether a reading command can use the gateway with these settings: not with a client certificate, which etcd's
     * gateway refuses when it names a user (it cannot pass the name on), and which is how such clusters log in.
     */
    public static boolean usable(EtcdSettings settings) {
        return settings.cert() == null;
    }

    /**
     * Whether gRPC may do better than the gateway did: etcd serves no gateway, or refuses it this client certificate,
     * or the request failed in a way the gateway cannot explain (a TLS 1.3 server that wants a client certificate
     * says so after the handshake, which leaves Java's HTTP client with only "Error writing to server"). Not when
     * etcd cannot be reached, did not answer in time, or refused the credentials: gRPC would say the same, later.
     */
    public static boolean tryGrpc(Throwable error) {
        if (EtcdRefusals.isRefusal(error)) {
            return false;
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof EtcdGatewayException e) {
                return e.code() == EtcdGatewayException.NOT_SERVED;
            }
            if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof ConnectException
                    || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException
                    || cause instanceof SocketTimeoutException) {
                return false;
            }
        }
        return true;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The end of a prefix's range: the prefix with its last byte below 0xff raised by one ("\0": every key after). */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0};
    }
}
