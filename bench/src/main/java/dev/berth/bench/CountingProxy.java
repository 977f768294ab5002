package dev.berth.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent count of Docker API calls: a unix-socket proxy in front of dockerd that copies bytes both ways
 * and counts HTTP request lines ("GET /v1.41/containers/json") by method and path, ids and query strings folded.
 */
final class CountingProxy implements AutoCloseable {
    private static final Pattern REQUEST = Pattern.compile("(GET|POST|PUT|DELETE|HEAD) (/[^ ?\\r\\n]*)[^ \\r\\n]* HTTP/1\\.[01]\\r\\n");
    private final Path socket;
    private final Path upstream;
    private final ServerSocketChannel server;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    CountingProxy(Path socket, Path upstream) throws IOException {
        this.socket = socket;
        this.upstream = upstream;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread accept = new Thread(this::acceptLoop, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    String dockerHost() {
        return "unix://" + socket;
    }

    private void acceptLoop() {
        while (open) {
            try {
                SocketChannel client = server.accept();
                SocketChannel up = SocketChannel.open(UnixDomainSocketAddress.of(upstream));
                Thread c2u = new Thread(() -> pump(client, up, true), "proxy-c2u");
                Thread u2c = new Thread(() -> pump(up, client, false), "proxy-u2c");
                c2u.setDaemon(true);
                u2c.setDaemon(true);
                c2u.start();
                u2c.start();
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to, boolean count) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        String carry = "";
        try {
            while (true) {
                buf.clear();
                int n = from.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                if (count) {
                    // ISO-8859-1 keeps one char per byte, so a request line split across reads is joined by the carry.
                    String text = carry + new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1);
                    Matcher m = REQUEST.matcher(text);
                    int end = 0;
                    while (m.find()) {
                        counts.computeIfAbsent(m.group(1) + " " + fold(m.group(2)), k -> new AtomicLong()).incrementAndGet();
                        end = m.end();
                    }
                    String rest = text.substring(end);
                    carry = rest.length() > 300 ? rest.substring(rest.length() - 300) : rest;
                }
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
            }
        } catch (IOException e) {
            // connection closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** /v1.41/containers/0123abcd/start → /containers/{id}/start */
    static String fold(String path) {
        String p = path.replaceFirst("^/v[0-9.]+", "");
        String[] parts = p.split("/");
        if (parts.length >= 4 && (parts[1].equals("containers") || parts[1].equals("networks"))) {
            parts[2] = "{id}";
            return String.join("/", parts);
        }
        if (parts.length == 3 && (parts[1].equals("containers") || parts[1].equals("networks"))
                && !parts[2].equals("json") && !parts[2].equals("create") && !parts[2].equals("prune")) {
            parts[2] = "{id}";
            return String.join("/", parts);
        }
        return p;
    }

    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
        Files.deleteIfExists(socket);
    }
}
