package dev.berth.operator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where nothing listens, held for as long as a test needs it: the socket is bound but never listens,
 * so connections to it are refused, and no server started meanwhile (another test's, the system's) can take the port.
 * A port read from a closed {@code ServerSocket(0)} gives the first promise only until the kernel hands it out again.
 */
public final class RefusedPort implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private final Socket socket;

    private RefusedPort(Socket socket) {
        this.socket = socket;
    }

    public static RefusedPort open() throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return new RefusedPort(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}, as an etcd endpoint is written. */
    public String httpUrl() {
        return "http://" + LOOPBACK + ":" + port();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
