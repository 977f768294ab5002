package dev.berth.operator.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** Builds a jetcd client that fails fast instead of hanging when etcd is down. */
public final class EtcdConnector {
    private EtcdConnector() {
    }

    public static Client connect(EtcdSettings settings) {
        ClientBuilder builder = Client.builder()
                .endpoints(settings.endpoints().toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(3))
                .waitForReady(false)
                .retryMaxDuration(settings.timeout())
                .keepaliveTime(Duration.ofSeconds(30))
                .keepaliveTimeout(Duration.ofSeconds(5));
        if (settings.user() != null && !settings.user().isBlank()) {
            builder.user(ByteSequence.from(settings.user(), StandardCharsets.UTF_8));
            builder.password(ByteSequence.from(settings.password() == null ? "" : settings.password(),
                    StandardCharsets.UTF_8));
        }
        if (settings.caCert() != null || settings.cert() != null) {
            try {
                builder.sslContext(ssl -> {
                    if (settings.caCert() != null) {
                        ssl.trustManager(settings.caCert().toFile());
                    }
                    if (settings.cert() != null) {
                        File key = settings.key() == null ? null : settings.key().toFile();
                        ssl.keyManager(settings.cert().toFile(), key);
                    }
                });
            } catch (SSLException e) {
                throw new StoreException("cannot set up TLS for etcd: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }
}
