package dev.berth.operator.api;

import com.sun.net.httpserver.HttpExchange;
import dev.berth.reconcilers.docker.ContainerStreams;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One streaming answer: a 200 with a chunked body of {@link ApiFrames}, written by Docker's callback thread and the
 * heartbeat alike (one at a time). The heartbeat timer is shared by every stream, so it never waits and never
 * writes: it hands the beat to a writer thread (one beat in flight per stream, skipped while any write holds the
 * stream), and watches the writes. A write that has not finished after {@link #WRITE_TIMEOUT} means a client that
 * stopped reading: the stream is given up (the blocked writer and the handler are interrupted, which closes the
 * socket channel and ends Docker's stream), so the client's permit and threads come back. A heartbeat that cannot be
 * written means the client went away, with the same end.
 */
final class FrameStream implements ContainerStreams.Sink, AutoCloseable {
    static final long HEARTBEAT_SECONDS = 5;
    /**
     * Long, on purpose: a dead peer is reported by TCP (and the heartbeat) long before this; this only frees the
     * permit and threads of a client that is alive but stopped reading, e.g. {@code berth logs -f | less} paused by
     * its user, which must not be cut off after a short pause ({@code docker logs -f} never cuts it).
     */
    static final Duration WRITE_TIMEOUT = Duration.ofMinutes(10);

    private final OutputStream out;
    private final Thread handler;
    private final long writeTimeoutNanos;
    private final ScheduledFuture<?> heartbeat;
    private final ReentrantLock lock = new ReentrantLock();
    private final Executor beatWriters;
    private final AtomicBoolean beating = new AtomicBoolean();
    private volatile boolean broken;
    /** The thread in a write and since when (System.nanoTime), or null: what the watchdog looks at. */
    private volatile Thread writer;
    private volatile long writeSince;
    private volatile boolean givenUp;
    /** Set once close() is done, under {@link #interrupts}: the watchdog must not interrupt the handler after that. */
    private boolean closed;
    private final Object interrupts = new Object();

    FrameStream(HttpExchange exchange, ScheduledExecutorService timer, Executor beatWriters) throws IOException {
        this(start(exchange), timer, beatWriters, HEARTBEAT_SECONDS * 1000, WRITE_TIMEOUT);
    }

    /** For tests: any output, any beat. */
    FrameStream(OutputStream out, ScheduledExecutorService timer, Executor beatWriters, long heartbeatMillis,
                Duration writeTimeout) {
        this.out = out;
        this.beatWriters = beatWriters;
        this.handler = Thread.currentThread();
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.heartbeat = timer.scheduleWithFixedDelay(this::beat, heartbeatMillis, heartbeatMillis,
                TimeUnit.MILLISECONDS);
    }

    private static OutputStream start(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.berth.frames");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    private void beat() {
        Thread blocked = writer;
        if (blocked != null && System.nanoTime() - writeSince > writeTimeoutNanos) {
            giveUp(blocked);
            return;
        }
        if (broken || !beating.compareAndSet(false, true)) {
            return;
        }
        try {
            beatWriters.execute(this::writeBeat);
        } catch (RuntimeException e) {
            beating.set(false);
        }
    }

    /** On a writer thread: a heartbeat write can block as long as any other, and the timer must not. */
    private void writeBeat() {
        try {
            if (lock.tryLock()) {
                try {
                    writeLocked(ApiFrames.HEARTBEAT, new byte[0]);
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            giveUp(null);
        } finally {
            beating.set(false);
        }
    }

    /** A dead client: interrupting a thread blocked in a socket channel's write closes that channel. */
    private void giveUp(Thread blocked) {
        broken = true;
        givenUp = true;
        heartbeat.cancel(false);
        synchronized (interrupts) {
            if (closed) {
                return;
            }
            if (blocked != null) {
                blocked.interrupt();
            }
            handler.interrupt();
        }
    }

    @Override
    public void frame(ContainerStreams.Stream stream, byte[] bytes) throws IOException {
        write(stream == ContainerStreams.Stream.STDERR ? ApiFrames.STDERR : ApiFrames.STDOUT, bytes);
    }

    void exit(int code) throws IOException {
        write(ApiFrames.EXIT, ByteBuffer.allocate(4).putInt(code).array());
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
        lock.lock();
        try {
            writeLocked(type, payload);
        } finally {
            lock.unlock();
        }
    }

    private void writeLocked(int type, byte[] payload) throws IOException {
        if (broken) {
            throw new IOException("the client stopped reading");
        }
        watched(() -> ApiFrames.write(out, type, payload));
    }

    private interface Write {
        void run() throws IOException;
    }

    /** Under the lock: a write the watchdog sees, so one that blocks on a client that stopped reading is given up. */
    private void watched(Write write) throws IOException {
        writeSince = System.nanoTime();
        writer = Thread.currentThread();
        try {
            write.run();
        } catch (IOException e) {
            broken = true;
            throw e;
        } finally {
            writer = null;
            if (givenUp && Thread.currentThread() != handler) {
                // Docker's callback thread: the interrupt was for the blocked write only.
                Thread.interrupted();
            }
        }
        if (givenUp) {
            throw new IOException("the client stopped reading");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            // The channel is closed already when given up; closing the body would try to write the last chunk. Else
            // the last chunk is a write like any other (also on a broken stream: closing releases the exchange), and
            // watched: the heartbeat is cancelled only after it.
            if (!givenUp) {
                watched(out::close);
            }
        } catch (IOException e) {
            // nothing more to send
        } finally {
            // No heartbeat after the last chunk.
            broken = true;
            lock.unlock();
        }
        heartbeat.cancel(false);
        synchronized (interrupts) {
            closed = true;
        }
        // Clear an interrupt the watchdog may have set before it saw the stream closed, so the pool's thread starts
        // clean.
        Thread.interrupted();
    }
}
