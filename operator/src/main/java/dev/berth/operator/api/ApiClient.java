package dev.berth.operator.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * The CLI's side of one host's operator API: HTTPS to the address of its host record, trusting only the
 * certificate of the fingerprint published there, with the cluster token. Every failure is an {@link ApiException}
 * with one line a person can act on.
 */
public final class ApiClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final String host;
    private final String address;
    private final String token;
    private final PinnedTrust trust;
    private final HttpClient http;

    /** A failure talking to one host's API, as one line. */
    public static final class ApiException extends RuntimeException {
        public ApiException(String message) {
            super(message);
        }
    }

    /** Where the CLI reads a stream's frames; {@link #close()} from another thread ends the read. */
    public interface FrameReader extends AutoCloseable {
        /** The next frame, heartbeats skipped; null at the end. */
        ApiFrames.Frame next() throws IOException;

        @Override
        void close();
    }

    public ApiClient(String host, String address, String certSha256, String token) {
        this.host = host;
        this.address = address;
        this.token = token;
        this.trust = new PinnedTrust(certSha256);
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
            SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setEndpointIdentificationAlgorithm(null);
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                    .sslContext(tls).sslParameters(parameters).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The log of one container; {@code query}: follow, tail, since (Unix seconds), timestamps. */
    public FrameReader logs(String container, Map<String, String> query) {
        StringBuilder uri = new StringBuilder(base()).append("/v1/logs/").append(encode(container));
        String sep = "?";
        for (Map.Entry<String, String> e : query.entrySet()) {
            uri.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = "&";
        }
        return open(HttpRequest.newBuilder(URI.create(uri.toString())).GET(), "logs of " + container);
    }

    /** Runs a command in one container: its frames, then an exit frame. */
    public FrameReader exec(String container, List<String> command) {
        String body;
        try {
            body = new ObjectMapper().writeValueAsString(Map.of("command", command));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return open(HttpRequest.newBuilder(URI.create(base() + "/v1/exec/" + encode(container)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), "exec in " + container);
    }

    private String base() {
        return "https://" + address;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private FrameReader open(HttpRequest.Builder request, String what) {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("host " + host + ": interrupted");
        } catch (IOException e) {
            throw new ApiException(connectProblem(e));
        }
        InputStream body = response.body();
        if (response.statusCode() != 200) {
            String text;
            try (body) {
                text = new String(body.readNBytes(4096), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                text = "";
            }
            throw new ApiException(response.statusCode() == 401
                    ? "host " + host + ": token rejected: is this the same cluster?"
                    : "host " + host + ": " + what + ": " + (text.isEmpty() ? "HTTP " + response.statusCode() : text));
        }
        return new FrameReader() {
            @Override
            public ApiFrames.Frame next() throws IOException {
                ApiFrames.Frame frame;
                do {
                    frame = ApiFrames.read(body);
                } while (frame != null && frame.type() == ApiFrames.HEARTBEAT);
                return frame;
            }

            @Override
            public void close() {
                try {
                    body.close();
                } catch (IOException e) {
                    // Closing is all that is left to do.
                }
            }
        };
    }

    private String connectProblem(IOException e) {
        if (trust.mismatch() != null) {
            return "host " + host + ": the API at " + address + " presented a certificate (sha256 " + trust.mismatch()
                    + ") that is not the one in its host record; refusing it";
        }
        if (e instanceof SSLHandshakeException) {
            return "host " + host + ": TLS with the API at " + address + " failed: " + e.getMessage();
        }
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException
                || e.getCause() instanceof ConnectException) {
            return "host " + host + ": the operator API at " + address + " does not answer (host down, or port"
                    + " firewalled?)";
        }
        return "host " + host + ": the operator API at " + address + ": " + (e.getMessage() == null
                ? e.getClass().getSimpleName() : e.getMessage());
    }
}
