package dev.berth.operator.reliability;

import dev.berth.operator.FreePorts;
import dev.berth.operator.Await;
import dev.berth.operator.TestEnv;
import dev.berth.operator.store.EtcdSettings;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An etcd of the test's own (Debian's etcd, its own process on free loopback ports and a temporary data directory)
 * as a careful operator runs it: TLS with certificates the test made ({@link TestCertificates}), client
 * certificates required, and authentication on, with {@code root}, a {@code berth} user whose role may read and
 * write only {@link #prefix}'s keys, and a user {@code nobody} without any role. Passwords are in files (mode
 * 0600) in the same directory, never on a command line.
 */
public final class SecureEtcd implements AutoCloseable {
    public static final String BERTH_USER = "berth";
    public static final String NOBODY = "nobody";
    public final String prefix = "/" + TestEnv.uniqueName("berth-sec-");
    public final TestCertificates certs;
    public final Path berthPassword;
    public final Path nobodyPassword;
    private final Path dir;
    private final Path rootPassword;
    private final int clientPort;
    private final int peerPort;
    private Process process;
    /** etcdctl sends the root user only once auth is on: before, etcd refuses any authentication. */
    private boolean authOn;

    /** Whether etcd requires client certificates (else TLS for the server only, and users with passwords). */
    private final boolean clientCertificates;

    public SecureEtcd() throws Exception {
        this(true);
    }

    public SecureEtcd(boolean clientCertificates) throws Exception {
        this.clientCertificates = clientCertificates;
        dir = Files.createTempDirectory("berth-secure-etcd-");
        certs = new TestCertificates(dir);
        int[] ports = FreePorts.distinct(2);
        clientPort = ports[0];
        peerPort = ports[1];
        rootPassword = secretFile("root-password", "root-" + TestEnv.uniqueName("pw"));
        berthPassword = secretFile("berth-password", "berth-" + TestEnv.uniqueName("pw"));
        nobodyPassword = secretFile("nobody-password", "nobody-" + TestEnv.uniqueName("pw"));
    }

    public String endpoint() {
        return "https://127.0.0.1:" + clientPort;
    }

    /** A file of this fixture's directory with these contents (mode 0600), removed on close. */
    public Path secretFile(String name, String contents) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, contents);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    public String password(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    /** Starts etcd and sets up the users and roles (first start only: they live in the data directory). */
    public SecureEtcd start() throws Exception {
        boolean first = !Files.isDirectory(dir.resolve("data"));
        authOn = !first;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of("etcd", "--name", "secure", "--data-dir",
                dir.resolve("data").toString(), "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "secure=" + peer,
                "--cert-file", certs.serverCert.toString(), "--key-file", certs.serverKey.toString()));
        if (clientCertificates) {
            command.addAll(List.of("--trusted-ca-file", certs.ca.toString(), "--client-cert-auth"));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        Await.until(Duration.ofSeconds(30), "secure etcd on " + endpoint(),
                () -> run(List.of("endpoint", "health"), null) == 0);
        if (first) {
            root("user", "add", "root", "--new-user-password", password(rootPassword));
            root("role", "add", "root");
            root("user", "grant-role", "root", "root");
            root("user", "add", BERTH_USER, "--new-user-password", password(berthPassword));
            root("role", "add", "berth-prefix");
            root("role", "grant-permission", "berth-prefix", "--prefix=true", "readwrite", prefix + "/");
            root("user", "grant-role", BERTH_USER, "berth-prefix");
            root("user", "add", NOBODY, "--new-user-password", password(nobodyPassword));
            root("auth", "enable");
            authOn = true;
        }
        return this;
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** The settings the {@code berth} user connects with: this CA, the client certificate and key, its password. */
    public EtcdSettings berthSettings() throws IOException {
        return new EtcdSettings(List.of(endpoint()), BERTH_USER, password(berthPassword), certs.ca, certs.clientCert,
                certs.clientKey, Duration.ofSeconds(5));
    }

    /** etcdctl as root (after auth is on; before, the user is ignored). */
    public String root(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        StringBuilder out = new StringBuilder();
        if (run(all, out) != 0) {
            throw new IOException("etcdctl " + String.join(" ", args) + " failed: " + out);
        }
        return out.toString();
    }

    /** etcdctl as root for a change that may be made twice (grant, revoke): tried again until it succeeds. */
    public void rootIdempotent(String... args) {
        StringBuilder last = new StringBuilder();
        Await.until(Duration.ofSeconds(60), "etcdctl " + String.join(" ", args), () -> {
            last.setLength(0);
            // a revoke whose first try timed out after etcd made it: done too
            return run(List.of(args), last) == 0 || last.toString().contains("role is not granted");
        }, last::toString);
    }

    private int run(List<String> args, StringBuilder output) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint(), "--dial-timeout", "5s",
                "--command-timeout", "15s",
                "--cacert", certs.ca.toString(), "--cert", certs.clientCert.toString(), "--key", certs.clientKey.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("ETCDCTL_"));
        builder.environment().put("ETCDCTL_API", "3");
        try {
            // The root password through etcdctl's environment, not its arguments (ETCDCTL_USER is user:password).
            if (authOn) {
                builder.environment().put("ETCDCTL_USER", "root:" + password(rootPassword));
            }
            if (output == null) {
                builder.redirectOutput(new File("/dev/null"));
            }
            Process p = builder.start();
            String text = output == null ? "" : new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (output != null) {
                output.append(text);
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }


    @Override
    public void close() throws Exception {
        stop();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
