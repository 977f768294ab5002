package dev.berth.operator.cache;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The observed cache's one thread. Lists, events and their debounce all run on it, so the parts of the cache share
 * state without locks; Docker's callbacks and the reconcilers hand their work over to it.
 */
final class CacheThread {
    private final ScheduledExecutorService loop;
    /** Set by close() (any thread): from then on, late callbacks and resyncs are dropped. */
    private volatile boolean closing;

    CacheThread(String name) {
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs the task on this thread, in order; dropped once closing. */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closing) {
                throw e;
            }
        }
    }

    void schedule(Runnable task, long delayMillis) {
        loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs the task on this thread and waits for its result. */
    <T> T call(Callable<T> task, long timeoutSeconds) throws ExecutionException, TimeoutException, InterruptedException {
        return loop.submit(task).get(timeoutSeconds, TimeUnit.SECONDS);
    }

    /** Runs {@code last} on this thread after what is queued, then stops (waiting up to 2 s). Once only. */
    void close(Runnable last) {
        if (closing) {
            return;
        }
        closing = true;
        execute(last);
        loop.shutdown();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
