package dev.berth.operator.api;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.reconcilers.docker.ContainerStreams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streams sharing one heartbeat timer, one of them with a client that stopped reading (its writes block as a full
 * socket buffer does, until interrupted): the others keep getting heartbeats, and the blocked one is given up.
 */
class FrameStreamTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final java.util.concurrent.ExecutorService writers = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
        writers.shutdownNow();
    }

    /** Blocks every write until interrupted, as a socket channel whose peer stopped reading. */
    private static final class StuckOutput extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("closed by interrupt");
            }
        }
    }

    /** Counts what is written, thread-safe enough for a size check. */
    private static final class Counting extends ByteArrayOutputStream {
        @Override
        public synchronized int size() {
            return super.size();
        }
    }

    @Test
    void aClientThatStopsReadingIsGivenUpAndOthersStillGetHeartbeats() throws Exception {
        StuckOutput stuck = new StuckOutput();
        Counting healthy = new Counting();
        CompletableFuture<Throwable> writerEnd = new CompletableFuture<>();
        CompletableFuture<FrameStream> stuckStream = new CompletableFuture<>();
        // The stuck stream's handler thread: owns the stream as ApiServer's handler does.
        Thread handler = new Thread(() -> {
            try (FrameStream stream = new FrameStream(stuck, timer, writers, 50, Duration.ofMillis(500))) {
                stuckStream.complete(stream);
                Thread docker = new Thread(() -> {
                    try {
                        stream.frame(ContainerStreams.Stream.STDOUT, new byte[] {'x'});
                        writerEnd.complete(null);
                    } catch (Throwable e) {
                        writerEnd.complete(e);
                    }
                });
                docker.start();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    // given up: as containers.logs returns when its thread is interrupted
                }
                docker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        handler.start();
        assertTrue(stuck.entered.await(5, TimeUnit.SECONDS), "the writer reached the stuck socket");
        try (FrameStream other = new FrameStream(healthy, timer, writers, 50, Duration.ofMillis(500))) {
            int before = healthy.size();
            Await.until(Duration.ofSeconds(5), "the other stream gets heartbeats while one write is stuck",
                    () -> healthy.size() > before + 10);
            Throwable end = writerEnd.get(10, TimeUnit.SECONDS);
            assertTrue(end instanceof IOException, "the stuck write ends with an IOException, got " + end);
            handler.join(5000);
            assertTrue(!handler.isAlive(), "the handler was released");
            assertTrue(stuckStream.get().broken(), "the stuck stream is broken");
            assertThrows(IOException.class, () -> stuckStream.get().frame(ContainerStreams.Stream.STDOUT, new byte[] {'y'}));
            int now = healthy.size();
            Await.until(Duration.ofSeconds(5), "heartbeats go on after the dead client was given up",
                    () -> healthy.size() > now + 5);
        }
    }

    /** Writes go through; closing (the last chunk) blocks until interrupted, as on a client that stopped reading. */
    private static final class StuckOnClose extends ByteArrayOutputStream {
        @Override
        public void close() throws IOException {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("closed by interrupt");
            }
        }
    }

    @Test
    void anExitFrameThatBlocksIsGivenUp() throws Exception {
        StuckOutput stuck = new StuckOutput();
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        Thread handler = new Thread(() -> {
            try (FrameStream stream = new FrameStream(stuck, timer, writers, 50, Duration.ofMillis(300))) {
                stream.exit(0);
                end.complete(null);
            } catch (Throwable e) {
                end.complete(e);
            }
        });
        handler.start();
        Throwable thrown = end.get(10, TimeUnit.SECONDS);
        assertTrue(thrown instanceof IOException, "the blocked exit frame ends with an IOException, got " + thrown);
        handler.join(5000);
        assertTrue(!handler.isAlive(), "the handler was released");
    }

    @Test
    void aLastChunkThatBlocksIsGivenUp() throws Exception {
        StuckOnClose out = new StuckOnClose();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        Thread handler = new Thread(() -> {
            FrameStream stream = new FrameStream(out, timer, writers, 50, Duration.ofMillis(300));
            stream.close();
            closed.complete(Thread.currentThread().isInterrupted());
        });
        handler.start();
        boolean interrupted = closed.get(10, TimeUnit.SECONDS);
        assertTrue(!interrupted, "close() returns with the interrupt cleared");
    }
}
