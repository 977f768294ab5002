package dev.berth.operator.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Sends a query that is not a Berth name to the upstream resolvers, as it came (same bytes, same id), and returns the
 * first answer as it came, whatever its rcode: the container sees what the host's resolvers say. Upstreams are tried
 * in order, each with its share of the timeout; a fresh socket per query, so its source port is random (as a stub
 * resolver's) and only that upstream's answer is read. Empty when none answered in time.
 */
final class Forwarder {
    private static final int MAX_MESSAGE = 65535;

    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;

    Forwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
    }

    List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** The upstream's answer to {@code query} over UDP ({@code tcp} false) or TCP, or empty when none came in time. */
    Optional<byte[]> forward(byte[] query, boolean tcp) {
        if (upstreams.isEmpty() || query.length < 12) {
            return Optional.empty();
        }
        int each = (int) Math.max(100, timeout.toMillis() / upstreams.size());
        for (InetSocketAddress upstream : upstreams) {
            try {
                Optional<byte[]> answer = tcp ? overTcp(upstream, query, each) : overUdp(upstream, query, each);
                if (answer.isPresent()) {
                    return answer;
                }
            } catch (IOException e) {
                // refused, unreachable, timed out: the next upstream may answer
            }
        }
        return Optional.empty();
    }

    private static Optional<byte[]> overUdp(InetSocketAddress upstream, byte[] query, int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(upstream);
            socket.send(new DatagramPacket(query, query.length));
            byte[] buffer = new byte[MAX_MESSAGE];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return Optional.empty();
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return Optional.empty();
                }
                // Only the answer to this query: same id, response bit set.
                if (packet.getLength() >= 12 && buffer[0] == query[0] && buffer[1] == query[1] && (buffer[2] & 0x80) != 0) {
                    return Optional.of(java.util.Arrays.copyOf(buffer, packet.getLength()));
                }
            }
        }
    }

    private static Optional<byte[]> overTcp(InetSocketAddress upstream, byte[] query, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(upstream, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            byte[] framed = new byte[query.length + 2];
            framed[0] = (byte) (query.length >>> 8);
            framed[1] = (byte) query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            out.write(framed);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            byte[] answer = new byte[length];
            in.readFully(answer);
            return length >= 12 && answer[0] == query[0] && answer[1] == query[1] ? Optional.of(answer) : Optional.empty();
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
    }
}
