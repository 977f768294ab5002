package dev.berth.operator.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLException;

/**
 * Builds a jetcd client that fails fast instead of hanging when etcd is down, after checking the credentials and TLS
 * files it is given ({@link EtcdTlsFiles}): a wrong one is an {@link EtcdRefusedException} naming it, before any call.
 */
public final class EtcdConnector {
    private EtcdConnector() {
    }

    /** A user needs a password: jetcd would fail every call with its own "password can not be empty". */
    static void checkUser(EtcdSettings settings) {
        if (settings.user() != null && !settings.user().isBlank()
                && (settings.password() == null || settings.password().isEmpty())) {
            throw new EtcdRefusedException("etcd user '" + settings.user() + "' has no password (BERTH_ETCD_PASSWORD,"
                    + " or a file in BERTH_ETCD_PASSWORD_FILE / --etcd-password-file)");
        }
    }

    public static Client connect(EtcdSettings settings) {
        ClientBuilder builder = Client.builder()
                .endpoints(settings.endpoints().toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(3))
                .waitForReady(false)
                .retryMaxDuration(settings.timeout())
                .keepaliveTime(Duration.ofSeconds(30))
                .keepaliveTimeout(Duration.ofSeconds(5));
        checkUser(settings);
        if (settings.user() != null && !settings.user().isBlank()) {
            builder.user(ByteSequence.from(settings.user(), StandardCharsets.UTF_8));
            builder.password(ByteSequence.from(settings.password(), StandardCharsets.UTF_8));
        }
        if (settings.caCert() != null || settings.cert() != null || settings.key() != null) {
            // read and checked here, each mistake named with its file; the client uses exactly what was checked
            EtcdTlsFiles files = EtcdTlsFiles.read(settings.caCert(), settings.cert(), settings.key(), Instant.now());
            try {
                builder.sslContext(ssl -> {
                    if (!files.trusted().isEmpty()) {
                        ssl.trustManager(files.trusted());
                    }
                    if (files.key() != null) {
                        ssl.keyManager(files.key(), files.chain());
                    }
                });
            } catch (SSLException | RuntimeException e) {
                throw new EtcdRefusedException("cannot set up TLS for etcd: " + EtcdKv.describe(e), e);
            }
        }
        return builder.build();
    }
}
