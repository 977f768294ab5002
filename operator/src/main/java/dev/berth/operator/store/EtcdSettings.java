package dev.berth.operator.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to reach etcd. {@code caCert}, {@code cert} and {@code key} are optional PEM files (TLS and client
 * certificates); {@code user}/{@code password} are optional. {@code timeout} bounds every single request once the
 * connection is set up ({@link EtcdKv#connect}). Endpoints are URLs; {@link EtcdEndpoints} makes them from what people type.
 */
public record EtcdSettings(List<String> endpoints, String user, String password, Path caCert, Path cert, Path key,
                           Duration timeout) {
    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is needed");
        }
    }

    /** The same connection with another request timeout (a short one for health checks). */
    public EtcdSettings withTimeout(Duration other) {
        return new EtcdSettings(endpoints, user, password, caCert, cert, key, other);
    }

    public String describeEndpoints() {
        return String.join(",", endpoints);
    }

    /** Never print the password: this is what logs and errors show. */
    @Override
    public String toString() {
        return "EtcdSettings[endpoints=" + endpoints + ", user=" + user + ", tls=" + (caCert != null) + "]";
    }
}
