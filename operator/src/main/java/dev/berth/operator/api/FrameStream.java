package dev.berth.operator.api;

import com.sun.net.httpserver.HttpExchange;
import dev.berth.reconcilers.docker.ContainerStreams;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One streaming answer: a 200 with a chunked body of {@link ApiFrames}, written by Docker's callback thread and the
 * heartbeat alike (one at a time). A heartbeat that cannot be written means the client went away: the handler's
 * thread is interrupted, which ends Docker's stream even when the container writes nothing.
 */
final class FrameStream implements ContainerStreams.Sink, AutoCloseable {
    static final long HEARTBEAT_SECONDS = 5;

    private final OutputStream out;
    private final ScheduledFuture<?> heartbeat;
    private volatile boolean broken;

    FrameStream(HttpExchange exchange, ScheduledExecutorService timer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.berth.frames");
        exchange.sendResponseHeaders(200, 0);
        this.out = exchange.getResponseBody();
        Thread handler = Thread.currentThread();
        this.heartbeat = timer.scheduleWithFixedDelay(() -> {
            try {
                write(ApiFrames.HEARTBEAT, new byte[0]);
            } catch (IOException e) {
                handler.interrupt();
            }
        }, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void frame(ContainerStreams.Stream stream, byte[] bytes) throws IOException {
        write(stream == ContainerStreams.Stream.STDERR ? ApiFrames.STDERR : ApiFrames.STDOUT, bytes);
    }

    void exit(int code) throws IOException {
        synchronized (out) {
            ApiFrames.writeExit(out, code);
        }
    }

    /** The last frame when the stream ends because of a problem; a client already gone is no news. */
    void error(String message) {
        try {
            write(ApiFrames.ERROR, message.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            broken = true;
        }
    }

    boolean broken() {
        return broken;
    }

    private void write(int type, byte[] payload) throws IOException {
        synchronized (out) {
            try {
                ApiFrames.write(out, type, payload);
            } catch (IOException e) {
                broken = true;
                throw e;
            }
        }
    }

    @Override
    public void close() {
        heartbeat.cancel(false);
        // Clear an interrupt the heartbeat may have set after the stream ended, so the pool's thread starts clean.
        Thread.interrupted();
        try {
            synchronized (out) {
                out.close();
            }
        } catch (IOException e) {
            broken = true;
        }
    }
}
