package dev.berth.operator.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * etcd's key-value API with strings, a timeout on every call, and errors turned into one readable line.
 * Callers never see a jetcd future or a gRPC status.
 */
public final class EtcdKv {
    /** The least time the connection may take to set up (see {@link #connect}). */
    static final java.time.Duration CONNECT_AT_LEAST = java.time.Duration.ofSeconds(10);

    /** Null when reads go over etcd's HTTP gateway ({@link #reading}): such a store only reads. */
    private final Client client;
    private final Ranges ranges;
    private final EtcdSettings settings;
    private final CallListener calls;
    private final EtcdRefusals refusals;

    public EtcdKv(Client client, EtcdSettings settings) {
        this(client, settings, CallListener.NONE);
    }

    /** @param calls told the operation, outcome and duration of every call (metrics) */
    public EtcdKv(Client client, EtcdSettings settings, CallListener calls) {
        this(java.util.Objects.requireNonNull(client), new GrpcRanges(client), settings, calls);
    }

    private EtcdKv(Client client, Ranges ranges, EtcdSettings settings, CallListener calls) {
        this.client = client;
        this.ranges = ranges;
        this.settings = settings;
        this.calls = java.util.Objects.requireNonNull(calls);
        this.refusals = new EtcdRefusals(settings);
    }

    /**
     * A store that only reads, through {@code ranges} (etcd's HTTP gateway: {@link EtcdGateway}); writes, watches and
     * leases are a programming error on it.
     */
    public static EtcdKv reading(Ranges ranges, EtcdSettings settings) {
        return new EtcdKv(null, ranges, settings, CallListener.NONE);
    }

    /** Where reads go: etcd's gRPC API or its HTTP gateway. The future fails with what etcd or the transport said. */
    public interface Ranges {
        /** One key, or with {@code prefix} every key under it in key order; {@code countOnly}: no values. */
        CompletableFuture<Listing> range(String key, boolean prefix, boolean countOnly);

        /** Several keys (or with {@code prefix}, prefixes), in the order given; here one range each, side by side. */
        default CompletableFuture<List<Listing>> ranges(List<String> keys, boolean prefix) {
            List<CompletableFuture<Listing>> futures = keys.stream().map(k -> range(k, prefix, false)).toList();
            return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
        }
    }

    /** etcd's default --max-txn-ops: the most operations one transaction may hold. */
    private static final int MAX_TXN_OPS = 128;

    /** Reads over jetcd's gRPC client. */
    private record GrpcRanges(Client client) implements Ranges {
        @Override
        public CompletableFuture<Listing> range(String key, boolean prefix, boolean countOnly) {
            return client.getKVClient().get(bytes(key), option(prefix, countOnly)).thenApply(EtcdKv::listing);
        }

        private static boolean tooLarge(Throwable error) {
            for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause instanceof io.etcd.jetcd.common.exception.EtcdException e
                        && e.getErrorCode() == io.etcd.jetcd.common.exception.ErrorCode.RESOURCE_EXHAUSTED
                        || io.grpc.Status.fromThrowable(cause).getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                    // The same code says "etcdserver: too many requests": only an answer too large falls back.
                    return String.valueOf(cause.getMessage()).contains("exceeds maximum size");
                }
            }
            return false;
        }

        private static GetOption option(boolean prefix, boolean countOnly) {
            GetOption.Builder option = GetOption.builder();
            if (prefix) {
                option.isPrefix(true).withSortField(GetOption.SortTarget.KEY);
            }
            if (countOnly) {
                option.withCountOnly(true);
            }
            return option.build();
        }

        /**
         * Single keys: a read-only transaction of gets per {@link #MAX_TXN_OPS} keys, one request and one linearizable
         * read at one revision, where a range per key cost a hundred requests (70 ms of an apply of 100 stacks, on a
         * busy etcd).
         */
        @Override
        public CompletableFuture<List<Listing>> ranges(List<String> keys, boolean prefix) {
            if (prefix) {
                // Each prefix may hold much (a stack's whole history): one transaction's answer could pass gRPC's
                // message limit, where a range each stays within it.
                return Ranges.super.ranges(keys, true);
            }
            GetOption option = option(false, false);
            List<CompletableFuture<List<Listing>>> parts = new ArrayList<>();
            for (int i = 0; i < keys.size(); i += MAX_TXN_OPS) {
                List<String> chunk = keys.subList(i, Math.min(keys.size(), i + MAX_TXN_OPS));
                Op[] gets = chunk.stream().map(k -> Op.get(bytes(k), option)).toArray(Op[]::new);
                parts.add(client.getKVClient().txn().Then(gets).commit()
                        .thenApply(r -> r.getGetResponses().stream().map(EtcdKv::listing).toList())
                        // Large values together can pass gRPC's 4 MiB answer, which each alone stays under.
                        .exceptionallyCompose(e -> tooLarge(e) ? Ranges.super.ranges(chunk, false)
                                : CompletableFuture.failedFuture(e)));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> parts.stream()
                    .flatMap(part -> part.join().stream()).toList());
        }
    }

    /**
     * Told about every etcd call made through this class. Both strings come from fixed sets: {@link #OPERATIONS},
     * {@link #OUTCOMES}. Must be cheap and must not throw.
     */
    @FunctionalInterface
    public interface CallListener {
        List<String> OPERATIONS = List.of("get", "list", "put", "delete", "txn", "lease_grant", "lease_revoke", "other");
        List<String> OUTCOMES = List.of("success", "timeout", "error");
        CallListener NONE = (operation, outcome, nanos) -> { };

        void call(String operation, String outcome, long nanos);

        /** etcd refused a call (credentials, rights, TLS): told before the call's exception is thrown. */
        default void refused(EtcdRefusedException e) {
        }

        /** A watch on {@code prefix} opened ({@code +1}) or closed ({@code -1}). */
        default void watches(String prefix, int delta) {
        }
    }

    public Client client() {
        return writer();
    }

    /** The gRPC client writes, watches and leases go through; a reading store ({@link #reading}) has none. */
    private Client writer() {
        if (client == null) {
            throw new IllegalStateException("this etcd session only reads (over etcd's HTTP gateway)");
        }
        return client;
    }

    /**
     * Sets up the connection (gRPC channel, TLS, authentication, and the JVM's loading of all of it) with one cheap
     * read under its own, longer deadline: the larger of the request timeout and {@link #CONNECT_AT_LEAST}. A short
     * command's first request then measures etcd's answer, not the warm-up, which on a loaded machine takes longer
     * than the whole timeout. An unreachable etcd still fails within the client's retry bound (the request timeout),
     * with the same one-line message as any request.
     */
    public void connect(String anyKey) {
        java.time.Duration deadline = settings.timeout().compareTo(CONNECT_AT_LEAST) > 0 ? settings.timeout()
                : CONNECT_AT_LEAST;
        timed("get", ranges.range(anyKey, false, true), "connect", deadline.toMillis());
    }

    public Optional<StoredValue> get(String key) {
        return timed("get", ranges.range(key, false, false), "get " + key).values().stream().findFirst();
    }

    /**
     * Several keys read at once (over gRPC one read-only transaction per 128 keys; the whole read has this class's
     * timeout and counts as one "get" request in the metrics): applying a hundred objects costs one round trip.
     */
    public List<Optional<StoredValue>> getAll(List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        String what = keys.size() == 1 ? "get " + keys.get(0) : "get " + keys.get(0) + " and " + (keys.size() - 1) + " more";
        return several("get", keys, false, what).stream().map(l -> l.values().stream().findFirst()).toList();
    }

    private List<Listing> several(String operation, List<String> keys, boolean prefix, String what) {
        List<Listing> listings = timed(operation, ranges.ranges(keys, prefix), what);
        if (listings.size() != keys.size()) {
            throw new StoreException(what + ": etcd answered " + listings.size() + " reads for " + keys.size());
        }
        return listings;
    }

    public Listing list(String prefix) {
        return timed("list", ranges.range(prefix, true, false), "list " + prefix);
    }

    /** Several prefixes listed at once, as {@link #getAll}: one round trip for a batch of stacks' histories. */
    public List<Listing> listAll(List<String> prefixes) {
        if (prefixes.isEmpty()) {
            return List.of();
        }
        return several("list", prefixes, true, prefixes.size() == 1 ? "list " + prefixes.get(0)
                : "list " + prefixes.get(0) + " and " + (prefixes.size() - 1) + " more");
    }

    private static Listing listing(GetResponse response) {
        List<StoredValue> values = new ArrayList<>();
        for (KeyValue kv : response.getKvs()) {
            values.add(StoredValue.of(kv));
        }
        return new Listing(values, response.getHeader().getRevision());
    }

    public void put(String key, String value) {
        timed("put", writer().getKVClient().put(bytes(key), bytes(value)), "put " + key);
    }

    public void put(String key, String value, long leaseId) {
        timed("put", writer().getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(leaseId).build()),
                "put " + key);
    }

    /** Puts every value on the lease in one transaction: one round trip and one revision for all of them. */
    public void putAll(List<Write> writes, long leaseId) {
        if (writes.isEmpty() || writes.size() > 128) {
            throw new IllegalArgumentException("a transaction of 1 to 128 puts (etcd's default limit), not "
                    + writes.size());
        }
        PutOption onLease = PutOption.builder().withLeaseId(leaseId).build();
        Op[] ops = writes.stream().map(w -> Op.put(bytes(w.key()), bytes(w.value()), onLease)).toArray(Op[]::new);
        timed("txn", writer().getKVClient().txn().Then(ops).commit(), ops.length + " puts");
    }

    public long delete(String key) {
        return timed("delete", writer().getKVClient().delete(bytes(key)), "delete " + key).getDeleted();
    }

    public long deletePrefix(String prefix) {
        return timed("delete", writer().getKVClient().delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()),
                "delete " + prefix).getDeleted();
    }

    /**
     * Watches every key under {@code prefix} from {@code revision}. Every watch of the process goes through here, so
     * the listener can count them: one watch per prefix is the rule the informer registry keeps.
     */
    public Watch.Watcher watchPrefix(String prefix, long revision, Watch.Listener listener) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision).build();
        Watch.Watcher watcher = writer().getWatchClient().watch(bytes(prefix), option, listener);
        countWatch(prefix, 1);
        return new Watch.Watcher() {
            private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    countWatch(prefix, -1);
                }
                watcher.close();
            }

            @Override
            public boolean isClosed() {
                return watcher.isClosed();
            }

            @Override
            public void requestProgress() {
                watcher.requestProgress();
            }
        };
    }

    /**
     * Keeps a lease alive. {@code onAlive} hears every answer; {@code onLost} hears once why the stream ended (a
     * keep-alive error, or the lease expired). Both run on jetcd's threads: hand them to your own.
     */
    public io.etcd.jetcd.support.CloseableClient keepAlive(long leaseId, Runnable onAlive,
                                                           java.util.function.Consumer<String> onLost) {
        return writer().getLeaseClient().keepAlive(leaseId, new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse value) {
                onAlive.run();
            }

            @Override
            public void onError(Throwable t) {
                onLost.accept("keep-alive failed: " + t.getMessage());
            }

            @Override
            public void onCompleted() {
                onLost.accept("lease expired");
            }
        });
    }

    private void countWatch(String prefix, int delta) {
        try {
            calls.watches(prefix, delta);
        } catch (RuntimeException e) {
            // metrics must never break a store call
        }
    }

    /** Runs all writes only if every guard holds; false means someone changed a guarded key meanwhile. */
    public boolean commit(List<Guard> guards, List<Write> writes) {
        return commitAt(guards, writes) != 0;
    }

    /** As {@link #commit}, returning the store revision the writes got (the keys' new mod revision), 0 if refused. */
    public long commitAt(List<Guard> guards, List<Write> writes) {
        Cmp[] cmps = guards.stream().map(EtcdKv::toCmp).toArray(Cmp[]::new);
        Op[] ops = writes.stream().map(EtcdKv::toOp).toArray(Op[]::new);
        TxnResponse response = timed("txn", writer().getKVClient().txn().If(cmps).Then(ops).commit(), "transaction");
        return response.isSucceeded() ? response.getHeader().getRevision() : 0;
    }

    /**
     * Several independent commits in one transaction: each is applied only if its own guards hold, and none unless
     * {@code shared} hold (etcd's nested transactions). One round trip and one revision for what would be as many
     * transactions. Returns each commit's revision in order, 0 where its guards (or the shared ones) failed.
     */
    public long[] commitEach(List<Guard> shared, List<Commit> commits) {
        Cmp[] cmps = shared.stream().map(EtcdKv::toCmp).toArray(Cmp[]::new);
        Op[] each = commits.stream().map(c -> Op.txn(c.guards().stream().map(EtcdKv::toCmp).toArray(Cmp[]::new),
                c.writes().stream().map(EtcdKv::toOp).toArray(Op[]::new), new Op[0])).toArray(Op[]::new);
        TxnResponse response = timed("txn", writer().getKVClient().txn().If(cmps).Then(each).commit(), "transaction");
        long[] revisions = new long[commits.size()];
        if (response.isSucceeded()) {
            List<TxnResponse> answers = response.getTxnResponses();
            for (int i = 0; i < revisions.length; i++) {
                revisions[i] = answers.get(i).isSucceeded() ? response.getHeader().getRevision() : 0;
            }
        }
        return revisions;
    }

    /** Any other etcd call (leases, elections) with this class's timeout and errors; counted by its verb. */
    public <T> T await(CompletableFuture<T> future, String what) {
        String operation = what.startsWith("grant") ? "lease_grant" : what.startsWith("revoke") ? "lease_revoke" : "other";
        return timed(operation, future, what);
    }

    private <T> T timed(String operation, CompletableFuture<T> future, String what) {
        return timed(operation, future, what, settings.timeout().toMillis());
    }

    private <T> T timed(String operation, CompletableFuture<T> future, String what, long millis) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = awaitUncounted(future, what, millis);
            outcome = "success";
            return result;
        } catch (StoreException e) {
            outcome = e.getCause() instanceof TimeoutException ? "timeout" : "error";
            throw e;
        } finally {
            try {
                calls.call(operation, outcome, System.nanoTime() - start);
            } catch (RuntimeException e) {
                // metrics must never break a store call
            }
        }
    }

    private <T> T awaitUncounted(CompletableFuture<T> future, String what, long millis) {
        try {
            return future.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException("etcd at " + settings.describeEndpoints() + " did not answer within "
                    + millis + " ms (" + what + ")", e);
        } catch (ExecutionException e) {
            java.util.Optional<EtcdRefusedException> refused = refusals.of(e.getCause(), what);
            if (refused.isPresent()) {
                try {
                    calls.refused(refused.get());
                } catch (RuntimeException ignored) {
                    // a listener must never break a store call
                }
                throw refused.get();
            }
            throw new StoreException("etcd at " + settings.describeEndpoints() + " failed (" + what + "): "
                    + describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for etcd (" + what + ")", e);
        }
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        String root = cause == error || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
        return (message + root).replace('\n', ' ');
    }

    private static Cmp toCmp(Guard guard) {
        return guard.modRevision() == 0
                ? new Cmp(bytes(guard.key()), Cmp.Op.EQUAL, CmpTarget.version(0))
                : new Cmp(bytes(guard.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(guard.modRevision()));
    }

    private static Op toOp(Write write) {
        return write.value() == null
                ? Op.delete(bytes(write.key()), DeleteOption.DEFAULT)
                : Op.put(bytes(write.key()), bytes(write.value()), PutOption.DEFAULT);
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** A prefix listing and the store revision it was read at (watch from revision + 1). */
    public record Listing(List<StoredValue> values, long revision) {
    }

    /** Holds when {@code key}'s mod revision is {@code modRevision}; 0 means the key must not exist. */
    public record Guard(String key, long modRevision) {
    }

    /** Put {@code value} at {@code key}; a null value deletes the key. */
    public record Write(String key, String value) {
    }

    /** Writes that go only if their guards hold: one part of {@link #commitEach}. */
    public record Commit(List<Guard> guards, List<Write> writes) {
    }
}
