package dev.berth.operator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestEnv;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --etcd-timeout bounds etcd's answers, not the connection's set-up. A proxy in front of the real etcd holds each new
 * connection's first bytes for 1.5 s (what JVM, TLS and gRPC warm-up cost a loaded machine), then relays both ways;
 * a command with a 1 s timeout must still succeed.
 */
class SlowSetUpTest {
    private static final long SET_UP_MILLIS = 1500;

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @Test
    void aSlowConnectionSetUpDoesNotCountAgainstTheRequestTimeout() throws Exception {
        URI target = URI.create(TestEnv.etcdEndpoints().split(",")[0]);
        try (SlowProxy proxy = new SlowProxy(new InetSocketAddress(target.getHost(), target.getPort()))) {
            CliRun run = CliRun.raw("get", "stacks", "--etcd-endpoints", "127.0.0.1:" + proxy.port(),
                    "--etcd-timeout", "1", "--prefix", etcd.prefix);
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("NAME"), run.out());
        }
    }

    /** Relays TCP to {@code target}, the first bytes of each connection after {@link #SET_UP_MILLIS}. */
    private static final class SlowProxy implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new ArrayList<>();

        SlowProxy(InetSocketAddress target) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket client = server.accept();
                        Socket upstream = new Socket(target.getAddress(), target.getPort());
                        synchronized (sockets) {
                            sockets.add(client);
                            sockets.add(upstream);
                        }
                        relay(client, upstream, SET_UP_MILLIS);
                        relay(upstream, client, 0);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "slow-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void relay(Socket from, Socket to, long holdMillis) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    byte[] buffer = new byte[16384];
                    int n = in.read(buffer);
                    // the simulated set-up cost: deliberately a fixed delay, this is what the test is about
                    Thread.sleep(holdMillis);
                    while (n >= 0) {
                        out.write(buffer, 0, n);
                        out.flush();
                        n = in.read(buffer);
                    }
                } catch (IOException | InterruptedException e) {
                    // either side closed
                }
            }, "slow-proxy-relay");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
