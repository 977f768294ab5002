package dev.berth.operator.control;

import dev.berth.operator.queue.WorkQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads that take keys from a work queue and reconcile them: success forgets the key's failures
 * (and honours requeue-after), failure re-queues it with backoff. Keys here are object names.
 */
public final class ControllerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerLoop.class);

    private final String controller;
    private final WorkQueue queue;
    private final Reconciler reconciler;
    private final int workers;
    private final List<Thread> threads = new ArrayList<>();
    private final MeterRegistry registry;
    private final Timer reconcileTime;
    private final Counter errors;

    public ControllerLoop(String controller, WorkQueue queue, Reconciler reconciler, int workers, MeterRegistry registry) {
        this.controller = controller;
        this.queue = queue;
        this.reconciler = reconciler;
        this.workers = workers;
        this.registry = registry;
        this.reconcileTime = Timer.builder("berth.reconcile.time").tag("controller", controller)
                .description("Time of one reconcile").publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(500),
                        Duration.ofSeconds(5))
                .register(registry);
        this.errors = Counter.builder("berth.reconcile.errors").tag("controller", controller)
                .description("Reconciles that failed").register(registry);
        for (String result : List.of("success", "error", "requeue_after")) {
            result(result);
        }
    }

    private Counter result(String result) {
        return Counter.builder("berth.reconcile").tag("controller", controller).tag("result", result)
                .description("Reconciles by result").register(registry);
    }

    public void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, controller + "-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void work() {
        while (true) {
            Optional<String> next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next.isEmpty()) {
                return;
            }
            String name = next.get();
            try {
                handle(name);
            } finally {
                queue.done(name);
            }
        }
    }

    private void handle(String name) {
        long start = System.nanoTime();
        ReconcileResult result;
        try {
            result = reconciler.reconcile(name);
        } catch (RuntimeException e) {
            log.error("{}/{}: reconcile threw", controller, name, e);
            result = ReconcileResult.failed(e.toString());
        }
        reconcileTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (result.failed()) {
            errors.increment();
            result("error").increment();
            Duration delay = queue.addRateLimited(name);
            log.warn("{}/{}: reconcile failed (attempt {}), retrying in {} ms: {}", controller, name,
                    queue.failures(name), delay.toMillis(), result.error());
            return;
        }
        queue.forget(name);
        if (result.requeueAfter().isPresent()) {
            result("requeue_after").increment();
            queue.addAfter(name, result.requeueAfter().get());
        } else {
            result("success").increment();
        }
    }

    /** Stops taking keys and waits up to {@code grace} for reconciles in flight to finish. */
    public void stop(Duration grace) {
        queue.shutDown();
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
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
                log.warn("{}: worker {} still busy at shutdown; its work is abandoned and repaired by the next start",
                        controller, t.getName());
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
