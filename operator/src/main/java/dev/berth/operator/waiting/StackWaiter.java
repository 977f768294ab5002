package dev.berth.operator.waiting;

import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.StoreException;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for one stack: reads a {@link StackSnapshot}, decides with {@link StackReadiness}, and reads again only when
 * an etcd watch on the keys that matter (the stack's status prefix, the stack, its assignment, the host records)
 * reports a change: watches from the revision after the read, so nothing between the read and the watch is missed.
 * After a watch error or end, or a failed read, it reads again (and opens new watches) on the next wake-up, at most a
 * second later. Level-triggered: an event only says "read again", several events make one read.
 */
public final class StackWaiter {
    private static final Logger log = LoggerFactory.getLogger(StackWaiter.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final EtcdKv kv;
    private final StackSnapshots snapshots;

    public StackWaiter(EtcdKv kv, StackSnapshots snapshots) {
        this.kv = kv;
        this.snapshots = snapshots;
    }

    /** The last verdict, and whether the deadline passed before it was final. */
    public record Outcome(Verdict verdict, boolean timedOut) {
    }

    /**
     * @param deadlineNanos {@link System#nanoTime()} when to give up; the state is read once more at the deadline
     * @param tick          how often {@code seen} hears the last verdict again without a change (a live display
     *                      counts seconds); null for never
     * @param seen          told every verdict, on this thread
     * @throws StoreException when the first read fails, or etcd still fails at the deadline
     */
    public Outcome await(String stack, long deadlineNanos, Duration tick, Consumer<Verdict> seen) {
        Signal signal = new Signal();
        List<Watch.Watcher> watchers = new ArrayList<>();
        Verdict last = null;
        boolean reread = true;
        try {
            while (true) {
                if (reread) {
                    try {
                        if (signal.takeFailed() || watchers.isEmpty()) {
                            closeAll(watchers);
                            StackSnapshots.Read read = snapshots.read(stack);
                            open(stack, read.revision() + 1, signal, watchers);
                            last = StackReadiness.decide(read.snapshot());
                        } else {
                            last = StackReadiness.decide(snapshots.read(stack).snapshot());
                        }
                    } catch (StoreException e) {
                        if (last == null || System.nanoTime() - deadlineNanos >= 0) {
                            throw e;
                        }
                        log.debug("stack/{}: reading for the wait failed, trying again: {}", stack, e.getMessage());
                        signal.readFailed();
                    }
                }
                seen.accept(last);
                if (last.done()) {
                    return new Outcome(last, false);
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    return new Outcome(last, true);
                }
                long wait = left;
                if (tick != null) {
                    wait = Math.min(wait, tick.toNanos());
                }
                if (signal.failed()) {
                    wait = Math.min(wait, RETRY.toNanos());
                }
                // Woken by a change (read again), a watch failure (read after at most RETRY), the tick or the deadline.
                reread = signal.await(wait) || signal.failed() || deadlineNanos - System.nanoTime() <= 0;
            }
        } finally {
            closeAll(watchers);
        }
    }

    private void open(String stack, long revision, Signal signal, List<Watch.Watcher> watchers) {
        for (String prefix : snapshots.watched(stack)) {
            watchers.add(kv.watchPrefix(prefix, revision, new Watch.Listener() {
                @Override
                public void onNext(WatchResponse response) {
                    signal.change();
                }

                @Override
                public void onError(Throwable error) {
                    log.debug("stack/{}: watch on {} failed: {}", stack, prefix, error.getMessage());
                    signal.fail();
                }

                @Override
                public void onCompleted() {
                    signal.fail();
                }
            }));
        }
    }

    private static void closeAll(List<Watch.Watcher> watchers) {
        watchers.forEach(Watch.Watcher::close);
        watchers.clear();
    }

    /** What the watches tell the waiting thread: something changed, or a watch broke. */
    private static final class Signal {
        private boolean changed;
        private boolean failed;

        synchronized void change() {
            changed = true;
            notifyAll();
        }

        synchronized void fail() {
            failed = true;
            changed = true;
            notifyAll();
        }

        /** A read failed: read again (with new watches) after the retry interval, not at once. */
        synchronized void readFailed() {
            failed = true;
        }

        synchronized boolean failed() {
            return failed;
        }

        /** True (and cleared) when a watch broke since the last call. */
        synchronized boolean takeFailed() {
            boolean was = failed;
            failed = false;
            return was;
        }

        /** Waits up to {@code nanos} for a change; true (and cleared) when one came. */
        synchronized boolean await(long nanos) {
            long end = System.nanoTime() + nanos;
            try {
                while (!changed) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            changed = false;
            return true;
        }
    }
}
