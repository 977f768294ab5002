package dev.berth.operator.cli;

import dev.berth.operator.store.EtcdEndpoints;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** etcd connection flags shared by every command that talks to etcd; each has an environment variable. */
public final class EtcdOptions {
    @Option(names = "--etcd-endpoints", paramLabel = "URLS",
            defaultValue = "${env:BERTH_ETCD_ENDPOINTS:-http://127.0.0.1:2379}",
            description = "Comma-separated etcd endpoints, HOST:PORT (http, or https with --etcd-cacert/--etcd-cert) or"
                    + " http[s]://HOST:PORT (env BERTH_ETCD_ENDPOINTS; default ${DEFAULT-VALUE}).")
    String endpoints;

    @Option(names = "--etcd-user", paramLabel = "USER", defaultValue = "${env:BERTH_ETCD_USER}",
            description = "etcd user (env BERTH_ETCD_USER); its password comes from --etcd-password-file or env"
                    + " BERTH_ETCD_PASSWORD, and must not be empty. Its role needs readwrite on --prefix's keys only.")
    String user;

    @Option(names = "--etcd-password-file", paramLabel = "FILE", defaultValue = "${env:BERTH_ETCD_PASSWORD_FILE}",
            description = "File holding the etcd password (env BERTH_ETCD_PASSWORD_FILE; or env BERTH_ETCD_PASSWORD)."
                    + " Never passed on the command line, where other users could read it.")
    Path passwordFile;

    @Option(names = "--etcd-cacert", paramLabel = "FILE", defaultValue = "${env:BERTH_ETCD_CACERT}",
            description = "CA certificate (PEM) to verify etcd's TLS certificate (env BERTH_ETCD_CACERT; default: the"
                    + " JVM's CAs).")
    Path caCert;

    @Option(names = "--etcd-cert", paramLabel = "FILE", defaultValue = "${env:BERTH_ETCD_CERT}",
            description = "Client certificate (PEM) for etcd (env BERTH_ETCD_CERT).")
    Path cert;

    @Option(names = "--etcd-key", paramLabel = "FILE", defaultValue = "${env:BERTH_ETCD_KEY}",
            description = "Client key (PEM, unencrypted: PKCS#8, PKCS#1 or SEC1) of --etcd-cert (env BERTH_ETCD_KEY)."
                    + " Both files are checked before connecting: an expired certificate or a key of another one is an"
                    + " error naming the file.")
    Path key;

    @Option(names = "--etcd-timeout", paramLabel = "SECONDS", defaultValue = "${env:BERTH_ETCD_TIMEOUT:-5}",
            description = "Seconds to wait for each etcd request once connected (the connection itself may take up to"
                    + " 10 s, or this much if longer; default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--prefix", paramLabel = "PATH", defaultValue = "${env:BERTH_PREFIX:-/berth}",
            description = "Root of Berth's keys in etcd (env BERTH_PREFIX; default ${DEFAULT-VALUE}).")
    String prefix;

    public EtcdSettings settings() {
        String password = password();
        if (user != null && !user.isBlank() && password == null) {
            throw new CliException("etcd user '" + user + "' needs a password: --etcd-password-file FILE, or env"
                    + " BERTH_ETCD_PASSWORD_FILE or BERTH_ETCD_PASSWORD");
        }
        List<String> urls;
        try {
            urls = EtcdEndpoints.parse(endpoints, caCert != null || cert != null);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return new EtcdSettings(urls, user, password, caCert, cert, key, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
    }

    /** From the file if one is named, else from BERTH_ETCD_PASSWORD; an empty one is refused naming where it came from. */
    private String password() {
        if (passwordFile != null) {
            String password;
            try {
                password = Files.readString(passwordFile).strip();
            } catch (IOException e) {
                throw new CliException("cannot read etcd password file " + passwordFile + ": " + e.getMessage());
            }
            if (password.isEmpty()) {
                throw new CliException("etcd password file " + passwordFile + " is empty");
            }
            return password;
        }
        String password = System.getenv("BERTH_ETCD_PASSWORD");
        if (password != null && password.isEmpty() && user != null && !user.isBlank()) {
            throw new CliException("etcd password in env BERTH_ETCD_PASSWORD is empty");
        }
        return password == null || password.isEmpty() ? null : password;
    }

    public KeyLayout keyLayout() {
        try {
            return new KeyLayout(prefix);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }
}
