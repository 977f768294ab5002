package dev.berth.operator.queue;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue of object keys in the shape of controller-runtime's: a key is queued at most once (dirty set), is
 * handed to at most one worker at a time (processing set), and a key added while it is being processed is
 * handed out exactly once more after {@link #done}. Failed keys come back after a per-key exponential backoff
 * with jitter, and all retries share a global rate limit.
 */
public final class WorkQueue implements AutoCloseable {
    private final String name;
    private final IntervalFunction backoff;
    private final RateLimiter limiter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, Long> addedAt = new HashMap<>();
    private final Map<String, Long> startedAt = new HashMap<>();
    private final Map<String, Long> retryAt = new HashMap<>();
    private final ScheduledExecutorService timers;
    private boolean shuttingDown;
    /** While paused (a leader-only controller that is not leading) nothing is queued or handed out. */
    private boolean paused;
    /** Bumped by pause(): delayed adds scheduled before it are dropped. */
    private int generation;

    private final Counter adds;
    private final Counter retries;
    private final Timer queueDuration;
    private final Timer workDuration;

    public WorkQueue(String name, RetryPolicy retry, RateLimit rateLimit, MeterRegistry registry) {
        this.name = name;
        this.backoff = retry.intervals();
        this.limiter = RateLimiter.of(name, RateLimiterConfig.custom()
                .limitForPeriod(rateLimit.burst())
                .limitRefreshPeriod(rateLimit.refreshPeriod())
                .timeoutDuration(Duration.ofHours(1))
                .build());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "workqueue-" + name + "-timer");
            t.setDaemon(true);
            return t;
        });
        this.adds = Counter.builder("berth.workqueue.adds").tag("name", name)
                .description("Keys added to the work queue").register(registry);
        this.retries = Counter.builder("berth.workqueue.retries").tag("name", name)
                .description("Keys re-queued after a failed reconcile").register(registry);
        // Buckets: the operator's registry gives every Berth timer its shared set (metrics/HistogramBuckets).
        this.queueDuration = Timer.builder("berth.workqueue.queue.duration").tag("name", name)
                .description("Time a key waits in the queue before a worker takes it").register(registry);
        this.workDuration = Timer.builder("berth.workqueue.work.duration").tag("name", name)
                .description("Time a worker spends on a key").register(registry);
        Gauge.builder("berth.workqueue.depth", this, WorkQueue::depth).tag("name", name)
                .description("Keys waiting in the work queue").register(registry);
        Gauge.builder("berth.workqueue.unfinished.work", this, WorkQueue::unfinishedSeconds).tag("name", name)
                .baseUnit("seconds").description("Seconds of work in progress not yet finished").register(registry);
        Gauge.builder("berth.workqueue.longest.running.processor", this, WorkQueue::longestRunningSeconds)
                .tag("name", name).baseUnit("seconds")
                .description("Seconds the longest running reconcile has been going").register(registry);
    }

    public String name() {
        return name;
    }

    /** Queues the key unless it is already waiting; a key being processed is queued again after done. */
    public void add(String key) {
        lock.lock();
        try {
            if (shuttingDown || paused || !dirty.add(key)) {
                return;
            }
            adds.increment();
            addedAt.putIfAbsent(key, System.nanoTime());
            if (!processing.contains(key)) {
                queue.addLast(key);
                available.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds the key unless a retry after a failure is still pending for it. Resyncs and observed-state changes
     * use this: Berth's own failed attempts cause Docker events, and those must not turn backoff into a hot
     * loop. A change of the desired object uses {@link #add} and is looked at at once.
     */
    public void addUnlessBackingOff(String key) {
        lock.lock();
        try {
            Long at = retryAt.get(key);
            if (at != null && at - System.nanoTime() > 0) {
                return;
            }
        } finally {
            lock.unlock();
        }
        add(key);
    }

    /** Adds the key after a delay ("requeue after"); nothing happens if the queue shuts down meanwhile. */
    public void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (shuttingDown || paused) {
                return;
            }
            int scheduledIn = generation;
            timers.schedule(() -> addIfStill(scheduledIn, key), delay.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void addIfStill(int scheduledIn, String key) {
        lock.lock();
        try {
            if (scheduledIn != generation) {
                return;
            }
        } finally {
            lock.unlock();
        }
        add(key);
    }

    /** Adds the key after its backoff (which grows with each failure), within the global rate limit. */
    public Duration addRateLimited(String key) {
        int attempt;
        lock.lock();
        try {
            if (paused || shuttingDown) {
                // Nothing would be retried now; recording the failure would make the key back off after resume.
                return Duration.ZERO;
            }
            attempt = failures.merge(key, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
        retries.increment();
        long perKeyNanos = TimeUnit.MILLISECONDS.toNanos(backoff.apply(attempt));
        long globalNanos = Math.max(0, limiter.reservePermission());
        Duration delay = Duration.ofNanos(Math.max(perKeyNanos, globalNanos));
        lock.lock();
        try {
            retryAt.put(key, System.nanoTime() + delay.toNanos());
        } finally {
            lock.unlock();
        }
        addAfter(key, delay);
        return delay;
    }

    /** Forgets the key's failures: its next failure starts the backoff from the beginning. */
    public void forget(String key) {
        lock.lock();
        try {
            failures.remove(key);
            retryAt.remove(key);
        } finally {
            lock.unlock();
        }
    }

    public int failures(String key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a key is available; empty once the queue is shut down and drained of waiting work. */
    public Optional<String> take() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && !shuttingDown && !paused) {
                available.await();
            }
            if (shuttingDown || paused) {
                return Optional.empty();
            }
            String key = queue.pollFirst();
            processing.add(key);
            dirty.remove(key);
            long now = System.nanoTime();
            Long added = addedAt.remove(key);
            if (added != null) {
                queueDuration.record(now - added, TimeUnit.NANOSECONDS);
            }
            startedAt.put(key, now);
            return Optional.of(key);
        } finally {
            lock.unlock();
        }
    }

    /** The worker finished the key; if it was added meanwhile it goes back in the queue, once. */
    public void done(String key) {
        lock.lock();
        try {
            processing.remove(key);
            Long started = startedAt.remove(key);
            if (started != null) {
                workDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            if (dirty.contains(key) && !shuttingDown && !paused) {
                queue.addLast(key);
                available.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    public int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    public boolean isProcessing(String key) {
        lock.lock();
        try {
            return processing.contains(key);
        } finally {
            lock.unlock();
        }
    }

    private double unfinishedSeconds() {
        lock.lock();
        try {
            long now = System.nanoTime();
            return startedAt.values().stream().mapToLong(s -> now - s).sum() / 1e9;
        } finally {
            lock.unlock();
        }
    }

    private double longestRunningSeconds() {
        lock.lock();
        try {
            long now = System.nanoTime();
            return startedAt.values().stream().mapToLong(s -> now - s).max().orElse(0) / 1e9;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops every waiting key, pending delayed add and failure count, and hands out nothing until {@link #resume}:
     * workers blocked in take() return empty. Work in progress may still call done. A leader-only controller pauses
     * its queue when it loses its election, so a former leader acts on nothing it queued while leading.
     */
    public void pause() {
        lock.lock();
        try {
            paused = true;
            generation++;
            queue.clear();
            dirty.clear();
            addedAt.clear();
            failures.clear();
            retryAt.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Accepts and hands out keys again after {@link #pause}. */
    public void resume() {
        lock.lock();
        try {
            paused = false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out keys; workers blocked in take() return empty. Work in progress may still call done. */
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            available.signalAll();
        } finally {
            lock.unlock();
        }
        timers.shutdownNow();
    }

    @Override
    public void close() {
        shutDown();
    }
}
