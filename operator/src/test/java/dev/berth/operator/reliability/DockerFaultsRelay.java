package dev.berth.operator.reliability;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A relay between an operator and a dockerd's unix socket that can break Docker's event stream while every other
 * call goes through: {@link #stallEvents()} keeps the event connections open but drops what Docker sends on them (a
 * proxy or a half-dead connection that stops forwarding: the operator believes it streams and misses every event);
 * {@link #cutEvents()} closes them and refuses new ones until {@link #allowEvents()}. A connection is an event
 * connection when its request asks for {@code /events}. Two threads per connection; close() cuts everything.
 */
final class DockerFaultsRelay implements AutoCloseable {
    private final Path listen;
    private final UnixDomainSocketAddress target;
    private final ServerSocketChannel server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean stalled;
    private volatile boolean refused;
    private volatile boolean closed;
    /** System.nanoTime() of each request that changes a container or a network, as it came in. */
    private final java.util.Queue<Long> changeRequests = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** One relayed connection. */
    private static final class Link {
        final SocketChannel client;
        final SocketChannel daemon;
        volatile boolean events;
        /** Directions that reached their end: the link closes when both did. */
        final java.util.concurrent.atomic.AtomicInteger halfClosed = new java.util.concurrent.atomic.AtomicInteger();

        Link(SocketChannel client, SocketChannel daemon) {
            this.client = client;
            this.daemon = daemon;
        }

        void close() {
            closeQuietly(client);
            closeQuietly(daemon);
        }
    }

    /** @param dockerHost the dockerd's {@code unix://} address */
    DockerFaultsRelay(String dockerHost) throws IOException {
        this.target = UnixDomainSocketAddress.of(dockerHost.replaceFirst("^unix://", ""));
        // Short: unix socket paths are limited to 108 bytes.
        this.listen = Files.createTempFile(Path.of("/tmp"), "btr-", ".sock");
        Files.delete(listen);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen));
        Thread accept = new Thread(this::acceptLoop, "docker-relay");
        accept.setDaemon(true);
        accept.start();
    }

    /** The {@code unix://} address to hand to the operator. */
    String dockerHost() {
        return "unix://" + listen;
    }

    /** Open event connections drop what Docker sends from now on (and new ones too), until {@link #cutEvents()}. */
    void stallEvents() {
        stalled = true;
    }

    /** Closes every event connection and refuses new ones until {@link #allowEvents()}. */
    void cutEvents() {
        refused = true;
        stalled = false;
        links.stream().filter(l -> l.events).forEach(Link::close);
    }

    void allowEvents() {
        refused = false;
        stalled = false;
    }

    /**
     * When the first request since {@code sinceNanos} (System.nanoTime()) that changes a container or a network (POST
     * or DELETE) reached the relay, or empty: the moment a client decided to act, apart from how long Docker then
     * takes to answer.
     */
    java.util.OptionalLong firstChangeRequestSince(long sinceNanos) {
        return changeRequests.stream().mapToLong(Long::longValue).filter(t -> t - sinceNanos >= 0).min();
    }

    /** How many event connections are open now. */
    long eventConnections() {
        return links.stream().filter(l -> l.events && l.client.isOpen()).count();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                SocketChannel daemon;
                try {
                    daemon = SocketChannel.open(target);
                } catch (IOException e) {
                    closeQuietly(client);
                    continue;
                }
                Link link = new Link(client, daemon);
                links.add(link);
                pump(link, true);
                pump(link, false);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Link link, boolean request) {
        Thread t = new Thread(() -> {
            SocketChannel from = request ? link.client : link.daemon;
            SocketChannel to = request ? link.daemon : link.client;
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    if (request && isChangeRequest(buffer)) {
                        changeRequests.add(System.nanoTime());
                    }
                    if (request && !link.events && isEventsRequest(buffer)) {
                        link.events = true;
                        if (refused) {
                            throw new IOException("event connections refused");
                        }
                    }
                    if (!request && link.events && stalled) {
                        buffer.clear();
                        continue;
                    }
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
                // End of this direction only (a client that half-closes after its request, as attach does).
                to.shutdownOutput();
                if (link.halfClosed.getAndIncrement() == 0) {
                    return;
                }
            } catch (IOException ignored) {
                // a side closed or was cut: close both below
            }
            link.close();
            links.remove(link);
        }, "docker-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean isEventsRequest(ByteBuffer buffer) {
        String line = firstLine(buffer);
        return line.startsWith("GET ") && (line.contains("/events?") || line.contains("/events "));
    }

    /** A request line (the client sends one request at a time per connection, so a request starts a read). */
    private static boolean isChangeRequest(ByteBuffer buffer) {
        String line = firstLine(buffer);
        return (line.startsWith("POST ") || line.startsWith("DELETE "))
                && (line.contains("/containers/") || line.contains("/networks/"));
    }

    private static String firstLine(ByteBuffer buffer) {
        String head = StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString();
        int end = head.indexOf('\n');
        return end < 0 ? head : head.substring(0, end);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        links.forEach(Link::close);
        Files.deleteIfExists(listen);
    }
}
