package dev.berth.operator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkQueue queue = new WorkQueue("test", new RetryPolicy(Duration.ofMillis(100), 2.0, 0.2,
            Duration.ofSeconds(2)), new RateLimit(1000, 1000), registry);

    @AfterEach
    void tearDown() {
        queue.shutDown();
    }

    /** A leader-only controller loses its election while a pass fails, then wins again: the key is not held back. */
    @Test
    void aFailureWhilePausedDoesNotBackTheKeyOffAfterResume() throws Exception {
        queue.add("k");
        assertEquals(Optional.of("k"), queue.take());
        queue.pause();
        queue.addRateLimited("k");
        queue.done("k");
        queue.resume();
        assertEquals(0, queue.failures("k"));
        queue.addUnlessBackingOff("k");
        assertEquals(Optional.of("k"), queue.take(), "the new term looks at the key at once");
    }

    @Test
    void pausedQueuesTakeNothingAndDropWhatWaited() throws Exception {
        queue.add("a");
        queue.addAfter("b", Duration.ofMillis(1));
        queue.pause();
        queue.add("c");
        assertEquals(Optional.empty(), queue.take(), "a paused queue hands out nothing");
        queue.resume();
        queue.add("d");
        assertEquals(Optional.of("d"), queue.take(), "what waited before the pause is gone");
        assertEquals(0, queue.depth());
    }

    @Test
    void aQueuedKeyIsNotQueuedTwice() throws Exception {
        queue.add("stack/a");
        queue.add("stack/a");
        queue.add("stack/b");
        assertEquals(2, queue.depth());
        assertEquals(Optional.of("stack/a"), queue.take());
        assertEquals(Optional.of("stack/b"), queue.take());
        assertEquals(0, queue.depth());
    }

    @Test
    void aKeyInFlightIsHandedOutOnceMoreAfterDoneNotBefore() throws Exception {
        queue.add("k");
        String taken = queue.take().orElseThrow();
        queue.add("k");
        queue.add("k");
        assertEquals(0, queue.depth(), "not handed to a second worker while in flight");
        assertTrue(queue.isProcessing("k"));
        queue.done(taken);
        assertEquals(1, queue.depth(), "exactly one more reconcile");
        queue.take();
        queue.done("k");
        assertEquals(0, queue.depth());
    }

    @Test
    void twoWorkersNeverHoldTheSameKey() throws Exception {
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch finished = new CountDownLatch(2);
        Runnable worker = () -> {
            try {
                while (true) {
                    Optional<String> key = queue.take();
                    if (key.isEmpty()) {
                        break;
                    }
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    log.add(key.get());
                    Thread.sleep(2);
                    inFlight.decrementAndGet();
                    queue.done(key.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                finished.countDown();
            }
        };
        new Thread(worker).start();
        new Thread(worker).start();
        for (int i = 0; i < 200; i++) {
            queue.add("same");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((queue.depth() > 0 || queue.isProcessing("same")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        queue.shutDown();
        assertTrue(finished.await(5, TimeUnit.SECONDS));
        assertEquals(1, maxInFlight.get(), "one reconcile in flight per key");
        assertTrue(log.size() >= 1 && log.size() < 200, "adds were coalesced: " + log.size());
    }

    @Test
    void backoffGrowsPerKeyUpToTheCeilingAndForgetResetsIt() {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            delays.add(queue.addRateLimited("bad").toMillis());
        }
        assertTrue(delays.get(0) >= 80 && delays.get(0) <= 120, delays.toString());
        assertTrue(delays.get(3) > delays.get(1), "grows: " + delays);
        assertTrue(delays.stream().allMatch(d -> d <= 2000 * 1.2 + 1), "capped: " + delays);
        assertTrue(delays.get(9) >= 1600, "reaches the ceiling: " + delays);
        assertEquals(10, queue.failures("bad"));
        assertTrue(queue.addRateLimited("other").toMillis() <= 120, "backoff is per key");
        queue.forget("bad");
        assertEquals(0, queue.failures("bad"));
        assertTrue(queue.addRateLimited("bad").toMillis() <= 120);
        assertEquals(12.0, registry.get("berth.workqueue.retries").counter().count());
    }

    @Test
    void resyncAndObservedChangesDoNotCutABackoffShort() throws Exception {
        queue.addRateLimited("failing");
        queue.addUnlessBackingOff("failing");
        assertEquals(0, queue.depth(), "a pending retry is not brought forward");
        queue.add("failing");
        assertEquals(1, queue.depth(), "a change of the desired object is looked at at once");
        queue.take();
        queue.done("failing");
        queue.forget("failing");
        queue.addUnlessBackingOff("failing");
        assertEquals(1, queue.depth());
    }

    @Test
    void addAfterDeliversLater() throws Exception {
        long start = System.nanoTime();
        queue.addAfter("later", Duration.ofMillis(150));
        assertEquals(0, queue.depth());
        assertEquals(Optional.of("later"), queue.take());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(140));
    }

    @Test
    void theGlobalRateLimitSpacesRetries() {
        // One permit a second in bursts of 5: the 6th retry must wait for the next 5-second period, whatever the
        // scheduler does to this thread in between.
        WorkQueue limited = new WorkQueue("limited", new RetryPolicy(Duration.ofMillis(1), 1.0, 0.0,
                Duration.ofMillis(1)), new RateLimit(1, 5), registry);
        try {
            long last = 0;
            for (int i = 0; i < 6; i++) {
                last = limited.addRateLimited("key-" + i).toMillis();
            }
            assertTrue(last >= 1000, "beyond the burst of 5, retries wait for the bucket: " + last + " ms");
        } finally {
            limited.shutDown();
        }
    }

    @Test
    void shutDownReleasesWaitingWorkers() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                assertFalse(queue.take().isPresent());
                returned.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        queue.shutDown();
        assertTrue(returned.await(2, TimeUnit.SECONDS));
    }
}
