package dev.berth.operator;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real image registry for tests: Debian's {@code docker-registry} (distribution 2.8) with TLS from a fresh test CA
 * and htpasswd (bcrypt) auth for one random user, its storage in a temp dir of its own.
 *
 * <p>Every dockerd on this machine (the env's and the bed's, which share the root mount namespace) trusts it because
 * the CA is written to {@code /etc/docker/certs.d/<host:port>/ca.crt}; {@link #close()} stops the registry and removes
 * exactly that directory and the temp dir. Images are pushed with the docker CLI and a private DOCKER_CONFIG, never
 * the user's {@code ~/.docker}.
 *
 * <p>On 127.0.0.0/8 dockerd treats every registry as "insecure" and, after the TLS attempt, also tries plain HTTP:
 * a pull WITHOUT credentials then reports that second attempt ("connection reset by peer"), not "no basic auth
 * credentials". A wrong password reports "unauthorized: authentication required" on any address. For the exact
 * messages a remote registry gives, start it on a non-loopback address (a bed's root underlay IP).
 */
public final class TestRegistry implements AutoCloseable {
    private static final Path CERTS_D = Path.of("/etc/docker/certs.d");
    /** Our own readiness probes carry this User-Agent, so they never count as a client's refused request. */
    private static final String PROBE_AGENT = "berth-test-registry-probe";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern PUSH_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");
    private static final Pattern LOG_FIELD = Pattern.compile("([a-zA-Z0-9_.]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");
    private static final String REFUSED = "error authorizing context:";
    /** distribution's message for a request that carried no credentials at all. */
    private static final String NO_CREDENTIALS = "invalid authorization credential";

    private final String address;
    private final int port;
    private final Path dir;
    private final Path certsDir;
    private final String username;
    private final String password;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook = new Thread(this::close, "test-registry-cleanup");
    private Process process;
    private Thread reader;
    private boolean loggedIn;
    private int builds;
    private boolean closed;

    private TestRegistry(String address, int port) throws IOException {
        this.address = address;
        this.port = port;
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        this.dir = Files.createTempDirectory("berth-registry-" + id + "-");
        this.certsDir = CERTS_D.resolve(address + ":" + port);
        this.username = "berth-" + id;
        this.password = UUID.randomUUID().toString().replace("-", "");
    }

    /** A registry on 127.0.0.1 and a free port, answering (401 on /v2/) when this returns. */
    public static TestRegistry start() {
        return start("127.0.0.1");
    }

    /**
     * A registry listening on {@code address} (an IPv4 address this machine has, such as
     * {@code OverlayTestBed.rootIp()} once it is assigned), on a free port, answering when this returns.
     */
    public static TestRegistry start(String address) {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            TestRegistry registry = null;
            try {
                registry = new TestRegistry(address, freePort(address));
                registry.prepare();
                registry.launch();
                Runtime.getRuntime().addShutdownHook(registry.shutdownHook);
                return registry;
            } catch (PortTaken e) {
                // Someone bound the port between our probe and the registry's bind: take another.
                last = e;
                registry.close();
            } catch (IOException | RuntimeException e) {
                if (registry != null) {
                    registry.close();
                }
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }
        throw new UncheckedIOException("no free port for a registry on " + address, last);
    }

    /** "ADDR:PORT", as image references name this registry. */
    public String host() {
        return address + ":" + port;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The test CA's certificate (the one in certs.d), for clients other than dockerd. */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /**
     * Tags {@code localImage} as {@code host()/repositoryAndTag} on {@code dockerHost}, pushes it with this registry's
     * login and returns the pushed digest ("sha256:..."). The tag is removed again unless it was there before, so the
     * image is not on that daemon by that name afterwards (a test then proves Berth pulls it).
     */
    public synchronized String push(String dockerHost, String localImage, String repositoryAndTag) {
        String target = host() + "/" + repositoryAndTag;
        boolean existed = dockerSucceeds(dockerHost, "image", "inspect", target);
        docker(dockerHost, null, "tag", localImage, target);
        try {
            login(dockerHost);
            String out = docker(dockerHost, null, "push", target);
            Matcher digest = PUSH_DIGEST.matcher(out);
            if (!digest.find()) {
                throw new IllegalStateException("docker push " + target + " printed no digest: " + out);
            }
            return digest.group(1);
        } finally {
            if (!existed) {
                docker(dockerHost, null, "rmi", target);
            }
        }
    }

    /**
     * Pushes a NEW image as {@code host()/repositoryAndTag}: the test image plus a file of random content, built on
     * {@code dockerHost} (which must have the test image). Returns its digest, different on every call. Nothing of it
     * stays on that daemon by that name (nor the build's private tag).
     */
    public synchronized String pushNew(String dockerHost, String repositoryAndTag) {
        Path context = dir.resolve("build-" + (++builds));
        String buildTag = "berth-registry-build/" + dir.getFileName().toString().toLowerCase() + ":" + builds;
        try {
            Files.createDirectories(context);
            Files.writeString(context.resolve("random"), UUID.randomUUID() + "\n");
            Files.writeString(context.resolve("Dockerfile"),
                    "FROM " + TestEnv.testImage() + "\nCOPY random /berth-random\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        docker(dockerHost, null, "build", "-q", "-t", buildTag, context.toString());
        try {
            return push(dockerHost, buildTag, repositoryAndTag);
        } finally {
            docker(dockerHost, null, "rmi", buildTag);
        }
    }

    /** Stops the registry (SIGTERM, then SIGKILL); clients get "connection refused" until {@link #restart()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the registry on " + host(), e);
        }
        process = null;
        reader = null;
    }

    /** Starts the registry again on the same port with the same storage; it answers when this returns. */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry's output so far: distribution's log lines (logrus text) and its access log (combined format). */
    public List<String> log() {
        return List.copyOf(lines);
    }

    /**
     * When clients were refused (401), one instant per refused attempt, in order: every request answered 401 except
     * the anonymous version check ({@code GET /v2/} without credentials, which every client, authorized or not,
     * sends first) and except dockerd's GET of a manifest right after its refused HEAD of the same manifest (one pull
     * attempt). So a pull with a wrong password counts once; a client that sends no credentials at all is not
     * counted. Times come from the registry's log (nanosecond RFC 3339), for tests that show retry delays grow.
     */
    public List<Instant> unauthorizedAt() {
        List<Instant> times = new ArrayList<>();
        Map<String, String> previous = null;
        Instant previousAt = null;
        for (String line : lines) {
            if (!line.contains(REFUSED)) {
                continue;
            }
            Map<String, String> fields = fields(line);
            String uri = fields.getOrDefault("http.request.uri", "");
            if (fields.getOrDefault("http.request.useragent", "").contains(PROBE_AGENT)
                    || (uri.equals("/v2/") && fields.getOrDefault("msg", "").endsWith(NO_CREDENTIALS))) {
                continue;
            }
            Instant at = Instant.parse(fields.get("time"));
            if (previous != null && "HEAD".equals(previous.get("http.request.method"))
                    && "GET".equals(fields.get("http.request.method")) && uri.equals(previous.get("http.request.uri"))
                    && clientIp(fields).equals(clientIp(previous))
                    && Duration.between(previousAt, at).compareTo(Duration.ofSeconds(2)) < 0) {
                previous = null;
                continue;
            }
            times.add(at);
            previous = fields;
            previousAt = at;
        }
        return times;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Running as the hook itself, or never registered: nothing to remove.
        }
        stop();
        deleteTree(certsDir);
        deleteTree(dir);
    }

    // ---- set-up

    private void prepare() throws IOException {
        String san = address.matches("[0-9.]+") ? "IP:" + address : "DNS:" + address;
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "7", "-subj", "/CN=berth-test-ca-" + username,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=" + address);
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "7", "-extfile", "server.ext");
        // -i: the password goes in on stdin, never into a process's arguments.
        String htpasswd = run(List.of("htpasswd", "-Bin", username), Map.of(), password, dir);
        Files.writeString(dir.resolve("htpasswd"), htpasswd.strip() + "\n");
        Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "version: 0.1",
                "log:",
                "  level: info",
                "  formatter: text",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + dir.resolve("data"),
                "  delete:",
                "    enabled: true",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: " + host(),
                "  secret: " + UUID.randomUUID(),
                "  tls:",
                "    certificate: " + dir.resolve("server.crt"),
                "    key: " + dir.resolve("server.key"),
                "auth:",
                "  htpasswd:",
                "    realm: berth-test",
                "    path: " + dir.resolve("htpasswd"),
                ""));
        Files.createDirectories(certsDir);
        Files.copy(dir.resolve("ca.crt"), certsDir.resolve("ca.crt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void launch() throws IOException {
        Process started = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        process = started;
        reader = new Thread(() -> readLines(started.getInputStream()), "test-registry-log-" + port);
        reader.setDaemon(true);
        reader.start();
        HttpClient client = probeClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                awaitReader();
                String output = String.join("\n", lines);
                if (output.contains("address already in use")) {
                    throw new PortTaken(host());
                }
                throw new IOException("docker-registry on " + host() + " exited with " + started.exitValue()
                        + ": " + output);
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://" + host() + "/v2/"))
                        .header("User-Agent", PROBE_AGENT).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 401) {
                    return;
                }
                seen = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                seen = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the registry on " + host(), e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the registry on " + host(), e);
            }
        }
        throw new IOException("timed out after " + START_TIMEOUT.toSeconds() + "s waiting for the registry on "
                + host() + " to answer /v2/ with 401; last seen: " + seen + "; log: " + String.join("\n", lines));
    }

    private void awaitReader() {
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readLines(InputStream output) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // The process ended; what it wrote is in lines.
        }
    }

    private HttpClient probeClient() throws IOException {
        try (InputStream ca = new ByteArrayInputStream(Files.readAllBytes(caCertificate()))) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("berth-test-ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, factory.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the test CA " + caCertificate(), e);
        }
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return socket.getLocalPort();
        }
    }

    // ---- the docker CLI, with a private config (this registry's login only)

    private void login(String dockerHost) {
        if (!loggedIn) {
            docker(dockerHost, password, "login", "--username", username, "--password-stdin", host());
            loggedIn = true;
        }
    }

    private boolean dockerSucceeds(String dockerHost, String... args) {
        try {
            docker(dockerHost, null, args);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private String docker(String dockerHost, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            return run(command, Map.of("DOCKER_HOST", dockerHost, "DOCKER_CONFIG", dir.resolve("docker-config").toString(),
                    // The legacy builder uses a local FROM image as it is; BuildKit would ask a registry for it.
                    "DOCKER_BUILDKIT", "0"), stdin, dir);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        run(command, Map.of(), null, dir);
    }

    /** Runs a command to its end (bounded); its output (stdout and stderr), or an IOException that shows it. */
    private static String run(List<String> command, Map<String, String> env, String stdin, Path workDir)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("DOCKER_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        // Read on this thread: the commands print little, and a full pipe would block them.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return out;
    }

    // ---- log parsing

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new java.util.HashMap<>();
        Matcher m = LOG_FIELD.matcher(line);
        while (m.find()) {
            String value = m.group(2);
            if (value.startsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            fields.putIfAbsent(m.group(1), value);
        }
        return fields;
    }

    private static String clientIp(Map<String, String> fields) {
        String remote = fields.getOrDefault("http.request.remoteaddr", "");
        int colon = remote.lastIndexOf(':');
        return colon < 0 ? remote : remote.substring(0, colon);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }

    /** The registry could not bind its port (taken since we found it free). */
    private static final class PortTaken extends IOException {
        PortTaken(String host) {
            super("address already in use: " + host);
        }
    }
}
