package dev.berth.operator.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Commits of many threads that share guards (a leader's key), sent together: while one transaction is in flight the
 * others queue, and the next carries every queued commit ({@link EtcdKv#commitEach}), each still applied only if its
 * own guards hold. A lone commit goes at once; under load the scheduler's 16 workers share one etcd round trip
 * instead of queueing 16 behind each other's commits (issue 21: 1,000 assignments were 1,000 transactions).
 */
public final class GroupCommit {
    /**
     * etcd's default --max-txn-ops (128) bounds the outer transaction's operations (one per commit) and each nested
     * one's: a batch counts every guard and write of its commits against it, so it stays within either reading.
     */
    static final int MOST_OPERATIONS = 128;
    /** Well under etcd's default 1.5 MiB request limit; a bigger commit goes alone. */
    static final int MOST_BYTES = 512 * 1024;

    private final EtcdKv kv;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean sending;

    public GroupCommit(EtcdKv kv) {
        this.kv = kv;
    }

    private static final class Pending {
        final List<EtcdKv.Guard> shared;
        final EtcdKv.Commit commit;
        boolean done;
        long revision;
        RuntimeException error;

        Pending(List<EtcdKv.Guard> shared, EtcdKv.Commit commit) {
            this.shared = List.copyOf(shared);
            this.commit = commit;
        }

        int bytes() {
            return commit.writes().stream().mapToInt(w -> utf8(w.key()) + (w.value() == null ? 0 : utf8(w.value())))
                    .sum() + commit.guards().stream().mapToInt(g -> utf8(g.key())).sum();
        }

        /** The commit itself in the outer transaction, and its guards and writes inside it. */
        int operations() {
            return 1 + commit.guards().size() + commit.writes().size();
        }

        private static int utf8(String text) {
            return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }

    /** As {@link EtcdKv#commit}: true when the writes went. */
    public boolean commit(List<EtcdKv.Guard> shared, List<EtcdKv.Guard> guards, List<EtcdKv.Write> writes) {
        return commitAt(shared, guards, writes) != 0;
    }

    /**
     * As {@link EtcdKv#commitAt} with guards {@code shared} + {@code guards}: the revision the writes got, 0 if a
     * guard failed. Store errors of the transaction it went in are thrown to each of its callers.
     */
    public long commitAt(List<EtcdKv.Guard> shared, List<EtcdKv.Guard> guards, List<EtcdKv.Write> writes) {
        Pending mine = new Pending(shared, new EtcdKv.Commit(List.copyOf(guards), List.copyOf(writes)));
        synchronized (this) {
            queue.add(mine);
        }
        boolean interrupted = false;
        try {
            while (true) {
                List<Pending> batch;
                synchronized (this) {
                    while (sending && !mine.done) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            // Still queued: take it back, nothing was sent. Already in flight: its answer is awaited.
                            if (queue.remove(mine)) {
                                Thread.currentThread().interrupt();
                                throw new StoreException("interrupted while waiting to commit to etcd", e);
                            }
                            interrupted = true;
                        }
                    }
                    if (mine.done) {
                        if (mine.error != null) {
                            throw mine.error;
                        }
                        return mine.revision;
                    }
                    sending = true;
                    batch = take();
                }
                send(batch);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The queue's head and what can go with it: the same shared guards, no key written twice (etcd refuses that even
     * across nested transactions), within the size limits.
     */
    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        int bytes = 0;
        int operations = 0;
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            boolean fits = batch.isEmpty() || p.shared.equals(batch.get(0).shared) && bytes + p.bytes() <= MOST_BYTES
                    && operations + p.operations() + p.shared.size() <= MOST_OPERATIONS
                    && p.commit.writes().stream().noneMatch(w -> keys.contains(w.key()));
            if (fits) {
                it.remove();
                batch.add(p);
                bytes += p.bytes();
                operations += p.operations();
                p.commit.writes().forEach(w -> keys.add(w.key()));
            }
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        long[] revisions = null;
        RuntimeException error = null;
        // The sender is one of the callers: its interrupt must not fail the others' commits (it is restored below).
        boolean interrupted = Thread.interrupted();
        try {
            revisions = batch.size() == 1
                    ? new long[] {kv.commitAt(concat(batch.get(0).shared, batch.get(0).commit.guards()),
                    batch.get(0).commit.writes())}
                    : kv.commitEach(batch.get(0).shared, batch.stream().map(p -> p.commit).toList());
        } catch (RuntimeException e) {
            error = e;
        } finally {
            synchronized (this) {
                for (int i = 0; i < batch.size(); i++) {
                    Pending p = batch.get(i);
                    p.done = true;
                    p.error = revisions == null ? (error != null ? error : new StoreException("etcd commit failed")) : null;
                    p.revision = revisions == null ? 0 : revisions[i];
                }
                sending = false;
                notifyAll();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<EtcdKv.Guard> concat(List<EtcdKv.Guard> a, List<EtcdKv.Guard> b) {
        List<EtcdKv.Guard> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
