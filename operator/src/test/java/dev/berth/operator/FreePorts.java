package dev.berth.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TCP ports for the servers a test starts itself (etcd members, Prometheus, a proxy, sshd).
 *
 * <p>Two rules that {@code new ServerSocket(0)} broke on CI: ports asked for together are distinct (the kernel
 * gave two etcd members of one cluster the same port, each socket having been closed before the next was asked
 * for), and they lie below the kernel's ephemeral range, so no outgoing connection of the test run takes a port
 * while its server is down (a killed etcd member must get its port back when it is started again).
 */
public final class FreePorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int TRIES = 1_000;

    private FreePorts() {
    }

    /** One port free now on every address. */
    public static int one() {
        return distinct(1)[0];
    }

    /** {@code count} different ports, all free now on every address. */
    public static int[] distinct(int count) {
        int highest = ephemeralLow() - 1;
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int tries = 0; held.size() < count; tries++) {
                if (tries == TRIES) {
                    throw new IllegalStateException("no " + count + " free ports in " + LOWEST + "-" + highest
                            + " after " + TRIES + " tries");
                }
                ServerSocket socket = bindOrNull(ThreadLocalRandom.current().nextInt(LOWEST, highest + 1));
                if (socket != null) {
                    held.add(socket);
                }
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            held.forEach(FreePorts::closeQuietly);
        }
    }

    /** Held open until every port is chosen, which is what makes them distinct. */
    private static ServerSocket bindOrNull(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new InetSocketAddress(port));
                return socket;
            } catch (IOException taken) {
                socket.close();
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: JDK 17's readString returned "3" for this procfs file here
            String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
            int low = Integer.parseInt(range[0]);
            if (low <= LOWEST + 1_000) {
                throw new IllegalStateException("the ephemeral port range starts at " + low + " (" + EPHEMERAL_RANGE
                        + "): too low to keep the tests' servers out of it");
            }
            return low;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the port was only held to keep it from the next pick
        }
    }
}
