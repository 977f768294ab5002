package dev.berth.operator.store;

import java.io.IOException;

/** etcd's HTTP gateway answered with an error: its gRPC status code and message (e.g. 7, "etcdserver: permission denied"). */
public final class EtcdGatewayException extends IOException {
    /** gRPC's PERMISSION_DENIED and UNAUTHENTICATED, as etcd's gateway passes them on. */
    static final int PERMISSION_DENIED = 7;
    static final int UNAUTHENTICATED = 16;
    /** Not a gRPC code: the endpoint has no gateway at all (HTTP 404). */
    static final int NOT_SERVED = -1;

    private final int code;

    public EtcdGatewayException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean refused() {
        return code == PERMISSION_DENIED || code == UNAUTHENTICATED;
    }
}
