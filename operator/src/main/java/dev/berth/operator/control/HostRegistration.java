package dev.berth.operator.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import io.etcd.jetcd.support.CloseableClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this host's record in etcd on a lease: it disappears by itself when the operator dies, and comes
 * back (new lease) when the keep-alive ends, e.g. after etcd was away longer than the TTL.
 */
public final class HostRegistration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostRegistration.class);

    private final EtcdKv kv;
    private final KeyLayout keys;
    private volatile HostRecord record;
    private final long ttlSeconds;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "host-lease");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean alive = new AtomicBoolean();
    private volatile long leaseId;
    private CloseableClient keepAlive;
    private volatile boolean closed;
    /** Which registration the keep-alive callbacks belong to: a late callback of an old lease is ignored. */
    private int generation;

    public HostRegistration(EtcdKv kv, KeyLayout keys, HostRecord record, long ttlSeconds) {
        this.kv = kv;
        this.keys = keys;
        this.record = record;
        this.ttlSeconds = ttlSeconds;
    }

    public void start() {
        submit(this::register);
    }

    /** Runs on the registration thread unless closed (callbacks of gRPC threads may come after close). */
    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("host/{}: registration is closed", record.name());
        }
    }

    public boolean alive() {
        return alive.get();
    }

    public HostRecord record() {
        return record;
    }

    /** Rewrites the record on the same lease, e.g. when the Networks this host takes part in change. */
    public void update(java.util.function.UnaryOperator<HostRecord> change) {
        submit(() -> {
            HostRecord next = change.apply(record);
            if (next.equals(record)) {
                return;
            }
            record = next;
            if (leaseId == 0 || !alive.get()) {
                return;
            }
            try {
                kv.put(keys.host(record.name()), new ObjectMapper().writeValueAsString(record), leaseId);
            } catch (RuntimeException | JsonProcessingException e) {
                dev.berth.operator.store.RefusalWarnings.warnUnlessRefused(log, e,
                        "host/{}: cannot update the host record, it is written again with the next lease: {}",
                        record.name(), e.getMessage());
            }
        });
    }

    private void register() {
        if (closed) {
            return;
        }
        int mine = ++generation;
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
        try {
            leaseId = kv.await(kv.client().getLeaseClient().grant(ttlSeconds), "grant host lease").getID();
            kv.put(keys.host(record.name()), new ObjectMapper().writeValueAsString(record), leaseId);
            keepAlive = kv.keepAlive(leaseId, () -> alive.set(true), why -> submit(() -> lost(mine, why)));
            alive.set(true);
            log.info("host/{}: registered with lease {} (ttl {}s)", record.name(), Long.toHexString(leaseId), ttlSeconds);
        } catch (RuntimeException | JsonProcessingException e) {
            dev.berth.operator.store.RefusalWarnings.warnUnlessRefused(log, e,
                    "host/{}: cannot register in etcd, retrying in 2s: {}", record.name(), e.getMessage());
            if (!closed) {
                loop.schedule(this::register, 2, TimeUnit.SECONDS);
            }
        }
    }

    private void lost(int which, String why) {
        if (closed || which != generation) {
            return;
        }
        alive.set(false);
        generation++;
        log.warn("host/{}: lease lost ({}), registering again", record.name(), why);
        loop.schedule(this::register, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        if (keepAlive != null) {
            keepAlive.close();
        }
        try {
            if (leaseId != 0) {
                kv.await(kv.client().getLeaseClient().revoke(leaseId), "revoke host lease");
            }
        } catch (RuntimeException e) {
            log.debug("host/{}: revoke failed: {}", record.name(), e.getMessage());
        }
    }
}
