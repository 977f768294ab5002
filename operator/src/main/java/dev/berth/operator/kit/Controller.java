package dev.berth.operator.kit;

import dev.berth.operator.queue.WorkQueue;
import dev.berth.reconcilers.Deadline;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running controller, made by {@link ControllerBuilder} from its declaration: a work queue that its watches fill
 * with keys, and worker threads that hand each key to the reconciler. Success forgets the key's failures (and
 * honours requeue-after), failure re-queues it with backoff. A leader-only controller starts its workers when its
 * election is won and stops them (dropping its queue) when it is lost.
 */
public final class Controller {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final String name;
    private final WorkQueue queue;
    private final Reconciler reconciler;
    private final int workers;
    private final Supplier<Collection<String>> allKeys;
    private final List<Runnable> onResync;
    private final Optional<Election> election;
    private final MeterRegistry registry;
    private final Timer reconcileTime;
    private final Counter errors;
    private final Counter overruns;
    private final java.time.Duration budget;
    private final java.time.Clock clock = java.time.Clock.systemUTC();
    private final Object lifecycle = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    /** Bumped by every start of the workers: a worker of an earlier term stops after its reconcile in flight. */
    private volatile int term;
    private volatile boolean closed;

    Controller(String name, WorkQueue queue, Reconciler reconciler, int workers, Supplier<Collection<String>> allKeys,
               List<Runnable> onResync, Optional<Election> election, Duration budget, MeterRegistry registry) {
        this.name = name;
        this.budget = budget;
        this.queue = queue;
        this.reconciler = reconciler;
        this.workers = workers;
        this.allKeys = allKeys;
        this.onResync = List.copyOf(onResync);
        this.election = election;
        this.registry = registry;
        // Buckets: the operator's registry gives every Berth timer its shared set (metrics/HistogramBuckets).
        this.reconcileTime = Timer.builder("berth.reconcile.time").tag("controller", name)
                .description("Time of one reconcile").register(registry);
        this.errors = Counter.builder("berth.reconcile.errors").tag("controller", name)
                .description("Reconciles that failed").register(registry);
        this.overruns = Counter.builder("berth.reconcile.deadline.exceeded").tag("controller", name)
                .description("Reconciles that ended after their deadline").register(registry);
        for (String result : List.of("success", "error", "requeue_after")) {
            result(result);
        }
        io.micrometer.core.instrument.Gauge.builder("berth.controller.workers", this, c -> c.running ? c.workers : 0)
                .tag("controller", name)
                .description("Worker threads running; 0 while a leader-only controller is not leading").register(registry);
        queue.pause();
    }

    public String name() {
        return name;
    }

    /** Whether this controller leads its election (always true for one that needs none). */
    public boolean leading() {
        return election.map(Election::isLeader).orElse(true);
    }

    /** Starts the workers, or, for a leader-only controller, its campaign (the workers start on winning). */
    public void start() {
        if (election.isPresent()) {
            election.get().start(this::leadershipChanged);
        } else {
            startWorkers();
        }
    }

    private void leadershipChanged(boolean leading) {
        if (leading) {
            log.info("{}: elected, starting {} worker(s)", name, workers);
            startWorkers();
        } else {
            log.info("{}: no longer the leader, stopping", name);
            stopWorkers(Duration.ofSeconds(20));
        }
    }

    private void startWorkers() {
        synchronized (lifecycle) {
            if (running || closed) {
                return;
            }
            running = true;
            int myTerm = ++term;
            queue.resume();
            threads.clear();
            for (int i = 0; i < workers; i++) {
                Thread t = new Thread(() -> work(myTerm), name + "-worker-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
        enqueueAll();
    }

    private void stopWorkers(Duration grace) {
        List<Thread> stopping;
        synchronized (lifecycle) {
            if (!running) {
                return;
            }
            running = false;
            queue.pause();
            stopping = List.copyOf(threads);
        }
        join(stopping, grace);
    }

    /** A watched object changed: look at the key now, even while it backs off (the desired state moved). */
    public void enqueue(String key) {
        if (running) {
            queue.add(key);
        }
    }

    /**
     * Observed state changed, or a resync: look at the key unless a retry after a failure is pending for it, so that
     * the events Berth's own failed attempts cause do not turn backoff into a hot loop.
     */
    public void enqueueUnlessBackingOff(String key) {
        if (running) {
            queue.addUnlessBackingOff(key);
        }
    }

    void enqueueAll() {
        if (running) {
            allKeys.get().forEach(queue::addUnlessBackingOff);
        }
    }

    /** The resync timer: runs the declared resync hooks and looks at every key again. */
    public void resync() {
        if (!running) {
            return;
        }
        for (Runnable hook : onResync) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                log.warn("{}: resync hook failed: {}", name, e.toString());
            }
        }
        enqueueAll();
    }

    private void work(int myTerm) {
        while (myTerm == term) {
            Optional<String> next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next.isEmpty()) {
                return;
            }
            String key = next.get();
            try {
                handle(key);
            } finally {
                queue.done(key);
            }
        }
    }

    private void handle(String key) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(budget, clock);
        ReconcileResult result;
        try {
            result = reconciler.reconcile(key, deadline);
        } catch (RuntimeException e) {
            log.error("{}/{}: reconcile threw", name, key, e);
            result = ReconcileResult.failed(e.toString());
        }
        long took = System.nanoTime() - start;
        reconcileTime.record(took, TimeUnit.NANOSECONDS);
        if (deadline.expired()) {
            overruns.increment();
            log.warn("{}/{}: reconcile took {} s, past its deadline of {} s", name, key,
                    TimeUnit.NANOSECONDS.toSeconds(took), budget.toSeconds());
        }
        if (result.failed()) {
            errors.increment();
            result("error").increment();
            Duration delay = queue.addRateLimited(key);
            if (!running) {
                log.warn("{}/{}: reconcile failed while stopping (not retried here): {}", name, key, result.error());
                return;
            }
            if (result.quiet()) {
                log.debug("{}/{}: reconcile failed (attempt {}), retrying in {} ms: {}", name, key,
                        queue.failures(key), delay.toMillis(), result.error());
                return;
            }
            log.warn("{}/{}: reconcile failed (attempt {}), retrying in {} ms: {}", name, key,
                    queue.failures(key), delay.toMillis(), result.error());
            return;
        }
        queue.forget(key);
        if (result.requeueAfter().isPresent()) {
            result("requeue_after").increment();
            queue.addAfter(key, result.requeueAfter().get());
        } else {
            result("success").increment();
        }
    }

    private Counter result(String result) {
        return Counter.builder("berth.reconcile").tag("controller", name).tag("result", result)
                .description("Reconciles by result").register(registry);
    }

    /** Stops campaigning, stops taking keys and waits up to {@code grace} for reconciles in flight. */
    public void stop(Duration grace) {
        election.ifPresent(Election::close);
        List<Thread> stopping;
        synchronized (lifecycle) {
            closed = true;
            running = false;
            queue.shutDown();
            stopping = List.copyOf(threads);
        }
        join(stopping, grace);
    }

    private void join(List<Thread> stopping, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : stopping) {
            if (t == Thread.currentThread()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    t.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (t.isAlive()) {
                log.warn("{}: worker {} still busy at stop; its work is abandoned and repaired by the next start",
                        name, t.getName());
            }
        }
    }

    /** What a leader-only controller needs of its election. */
    public interface Election {
        /** Campaigns; the listener hears true on winning and false on losing, from one thread. */
        void start(java.util.function.Consumer<Boolean> listener);

        boolean isLeader();

        void close();
    }
}
