package dev.berth.operator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.EtcdFixture;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commits sent together against the real etcd (issue 21, the scheduler's 1,000 assignment transactions): each part
 * of a shared transaction still holds only if its own guards do, and concurrent callers share round trips.
 */
class GroupCommitTest {
    private static final int THREADS = 32;
    private final EtcdFixture etcd = new EtcdFixture();
    private final AtomicInteger txns = new AtomicInteger();
    private final EtcdKv counted = new EtcdKv(etcd.client, etcd.settings,
            (operation, outcome, nanos) -> txns.addAndGet(operation.equals("txn") ? 1 : 0));

    @AfterEach
    void tearDown() {
        etcd.close();
    }

    @Test
    void eachPartOfOneTransactionHoldsOnlyIfItsOwnGuardsDo() {
        String a = etcd.prefix + "/a";
        String b = etcd.prefix + "/b";
        String c = etcd.prefix + "/c";
        String leader = etcd.prefix + "/leader";
        etcd.kv.put(leader, "me");
        etcd.kv.put(b, "someone else's");
        EtcdKv.Guard leads = new EtcdKv.Guard(leader, etcd.kv.get(leader).orElseThrow().modRevision());
        long[] revisions = counted.commitEach(List.of(leads), List.of(
                new EtcdKv.Commit(List.of(new EtcdKv.Guard(a, 0)), List.of(new EtcdKv.Write(a, "one"))),
                new EtcdKv.Commit(List.of(new EtcdKv.Guard(b, 0)), List.of(new EtcdKv.Write(b, "mine"))),
                new EtcdKv.Commit(List.of(new EtcdKv.Guard(c, 0)), List.of(new EtcdKv.Write(c, "three")))));
        assertEquals(1, txns.get(), "one transaction");
        assertEquals(0, revisions[1], "b existed: its part is refused");
        assertEquals("someone else's", etcd.kv.get(b).orElseThrow().value());
        assertEquals(revisions[0], etcd.kv.get(a).orElseThrow().modRevision());
        assertEquals(revisions[2], etcd.kv.get(c).orElseThrow().modRevision());
        assertTrue(revisions[0] > 0);

        etcd.kv.put(leader, "another leader");
        String d = etcd.prefix + "/d";
        assertArrayEquals(new long[] {0, 0}, counted.commitEach(List.of(leads), List.of(
                new EtcdKv.Commit(List.of(), List.of(new EtcdKv.Write(d, "x"))),
                new EtcdKv.Commit(List.of(), List.of(new EtcdKv.Write(a, "x"))))), "the shared guard failed: nothing");
        assertTrue(etcd.kv.get(d).isEmpty());
        assertEquals("one", etcd.kv.get(a).orElseThrow().value());
    }

    @Test
    void concurrentCommitsShareTransactionsAndEachGetsItsOwnAnswer() throws Exception {
        String leader = etcd.prefix + "/leader";
        etcd.kv.put(leader, "me");
        EtcdKv.Guard leads = new EtcdKv.Guard(leader, etcd.kv.get(leader).orElseThrow().modRevision());
        String taken = etcd.prefix + "/k7";
        etcd.kv.put(taken, "taken");
        GroupCommit commits = new GroupCommit(counted);
        // Every caller also writes one common key: etcd refuses a transaction that writes a key twice, so those
        // writes must go in different transactions, never fail.
        String common = etcd.prefix + "/common";
        List<Long> revisions = runTogether(i -> commits.commitAt(List.of(leads),
                List.of(new EtcdKv.Guard(etcd.prefix + "/k" + i, 0)),
                List.of(new EtcdKv.Write(etcd.prefix + "/k" + i, "v" + i), new EtcdKv.Write(common, "by " + i))));
        for (int i = 0; i < THREADS; i++) {
            if (i == 7) {
                assertEquals(0L, revisions.get(i), "k7 existed");
            } else {
                assertEquals(etcd.kv.get(etcd.prefix + "/k" + i).orElseThrow().modRevision(), revisions.get(i));
            }
        }
        assertEquals("taken", etcd.kv.get(taken).orElseThrow().value());
        // Each common-key write went alone or with others' keys but never twice in one transaction: as many
        // transactions as callers, but the per-key parts could not share. So this run cannot show sharing; the next does.
        assertEquals(THREADS, txns.get(), "one transaction per caller: each wrote the common key");

        txns.set(0);
        List<Long> shared = runTogether(i -> commits.commitAt(List.of(leads), List.of(),
                List.of(new EtcdKv.Write(etcd.prefix + "/s" + i, "v" + i))));
        Set<Long> distinct = new HashSet<>(shared);
        assertTrue(shared.stream().allMatch(r -> r > 0), "all written: " + shared);
        assertTrue(txns.get() < THREADS && distinct.size() == txns.get(),
                THREADS + " commits in " + txns.get() + " transactions, revisions " + distinct.size());
    }

    private interface Call {
        long run(int i);
    }

    private static List<Long> runTogether(Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.run(n);
                }));
            }
            go.countDown();
            List<Long> results = new ArrayList<>();
            for (Future<Long> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
