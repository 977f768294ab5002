package dev.berth.operator.store;

import io.grpc.Status;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Tells a refusal (wrong credentials, no rights, a TLS handshake that cannot succeed) from an outage in a failed
 * etcd call, and says it in one line that names the credential or file to change. gRPC reports all of them as
 * status codes with a cause chain; the sentences here are what a person needs instead.
 */
public final class EtcdRefusals {
    private final EtcdSettings settings;

    public EtcdRefusals(EtcdSettings settings) {
        this.settings = settings;
    }

    /** The refusal in {@code error}, or empty when it is anything else (etcd down, a timeout, a conflict). */
    public Optional<EtcdRefusedException> of(Throwable error, String what) {
        return message(error, what).map(m -> new EtcdRefusedException(m, error));
    }

    /**
     * Whether {@code error} is etcd refusing the client rather than failing: an {@link EtcdRefusedException}, or a
     * watch's gRPC status that says so (watches do not go through {@link EtcdKv}'s calls).
     */
    public static boolean isRefusal(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof EtcdRefusedException) {
                return true;
            }
            // jetcd's own exception for calls it makes itself (an election's campaign), with the status as a code
            if (cause instanceof io.etcd.jetcd.common.exception.EtcdException e
                    && (e.getErrorCode() == io.etcd.jetcd.common.exception.ErrorCode.PERMISSION_DENIED
                    || e.getErrorCode() == io.etcd.jetcd.common.exception.ErrorCode.UNAUTHENTICATED
                    || saysRefused(e.getMessage()))) {
                return true;
            }
            if (cause instanceof EtcdGatewayException e && (e.refused() || saysRefused(e.getMessage()))) {
                return true;
            }
            if (cause instanceof io.grpc.StatusRuntimeException || cause instanceof io.grpc.StatusException) {
                Status.Code code = Status.fromThrowable(cause).getCode();
                if (code == Status.Code.PERMISSION_DENIED || code == Status.Code.UNAUTHENTICATED) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * etcd's own words for a refusal. Its election service passes the error of its inner call on with another code
     * (a refused campaign came as jetcd's EtcdException whose code was not PERMISSION_DENIED, message "etcdserver:
     * permission denied"), so the code alone misses it.
     */
    private static boolean saysRefused(String message) {
        return message != null && (message.contains("etcdserver: permission denied")
                || message.contains("etcdserver: invalid auth token")
                || message.contains("etcdserver: authentication failed"));
    }

    private Optional<String> message(Throwable error, String what) {
        String at = "etcd at " + settings.describeEndpoints();
        // jetcd nests the server's status in its own (UNAUTHENTICATED around INVALID_ARGUMENT): read every level
        boolean denied = false;
        StringBuilder descriptions = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof EtcdGatewayException e) {
                // the HTTP gateway passes etcd's gRPC code and words on as they are
                denied |= e.code() == EtcdGatewayException.PERMISSION_DENIED;
                descriptions.append(e.getMessage()).append('\n');
            }
            if (cause instanceof io.grpc.StatusRuntimeException || cause instanceof io.grpc.StatusException) {
                Status status = Status.fromThrowable(cause);
                denied |= status.getCode() == Status.Code.PERMISSION_DENIED;
                descriptions.append(status.getDescription()).append('\n');
            }
        }
        String description = descriptions.toString();
        if (description.contains("authentication failed") || description.contains("user name not found")) {
            return Optional.of(at + " refused user '" + settings.user() + "': wrong user name or password");
        }
        if (denied || description.contains("permission denied")) {
            return Optional.of(at + " denied " + who() + " (" + what + "): its role must grant readwrite on the"
                    + " keys under Berth's prefix");
        }
        if (description.contains("authentication is not enabled")) {
            return Optional.of(at + " does not have authentication enabled; connect without a user");
        }
        return tls(error).map(m -> at + ": " + m);
    }

    private String who() {
        return settings.user() == null || settings.user().isBlank() ? "access without a user (authentication is on)"
                : "user '" + settings.user() + "'";
    }

    private Optional<String> tls(Throwable error) {
        boolean handshake = false;
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof CertificateExpiredException) {
                return Optional.of("its TLS certificate has expired (" + cause.getMessage() + ")");
            }
            if (cause instanceof CertPathBuilderException || String.valueOf(cause.getMessage()).contains(
                    "unable to find valid certification path")) {
                return Optional.of(settings.caCert() == null
                        ? "its TLS certificate is not signed by a CA this JVM trusts; give etcd's CA (BERTH_ETCD_CACERT,"
                                + " --etcd-cacert)"
                        : "its TLS certificate is not signed by the CA in " + settings.caCert());
            }
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("no subject alternative") || message.contains("no name matching")) {
                return Optional.of("its TLS certificate does not name this address (" + cause.getMessage() + ")");
            }
            if (message.contains("received fatal alert")) {
                return Optional.of(settings.cert() == null
                        ? "it requires a client certificate (BERTH_ETCD_CERT and BERTH_ETCD_KEY, --etcd-cert and --etcd-key): "
                                + cause.getMessage()
                        : "it refused the client certificate " + settings.cert() + ": " + cause.getMessage());
            }
            if (cause instanceof io.netty.handler.ssl.NotSslRecordException
                    || message.contains("unrecognized ssl message") || message.contains("plaintext connection")) {
                return Optional.of("it does not speak TLS; use an http:// endpoint");
            }
            handshake |= cause instanceof SSLException;
        }
        return handshake ? Optional.of("TLS handshake failed (" + EtcdKv.describe(error) + ")") : Optional.empty();
    }
}
