package dev.berth.operator.control;

import dev.berth.operator.store.EtcdKv;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.support.CloseableClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the operators for a job that must run once (GitOps sync, Traefik's keys), by etcd's
 * election API on a lease: when the leader dies its lease ends and another candidate wins within the TTL.
 * A leader that loses its lease (etcd away longer than the TTL) steps down at once and campaigns again.
 * The listener hears {@code true} on winning and {@code false} on losing, always from one thread.
 */
public final class LeaderElection implements AutoCloseable, dev.berth.operator.kit.Controller.Election {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final EtcdKv kv;
    private final String election;
    private final String candidate;
    private final long ttlSeconds;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService loop;
    private volatile boolean leader;
    private volatile boolean closed;
    private volatile long leaseId;
    private volatile LeaderKey leaderKey;
    private CloseableClient keepAlive;
    private CompletableFuture<CampaignResponse> campaign;
    private int generation;
    /** When etcd last confirmed the lease: a leader cut off from etcd must step down before its lease ends. */
    private volatile long lastAlive;
    /**
     * Leases of campaigns that ended while etcd was away. etcd gives every lease its full TTL again when it comes
     * back, so this candidate's old key would hold the election for another TTL and the new campaign would wait
     * behind it: revoked before campaigning again. Touched on the loop thread only.
     */
    private final java.util.Deque<Long> staleLeases = new java.util.ArrayDeque<>();

    /**
     * @param election   the election's etcd key, e.g. {@code /berth/v1/elections/gitops}
     * @param candidate  this operator's name (the host), stored as the leader's value
     */
    public LeaderElection(EtcdKv kv, String election, String candidate, long ttlSeconds, Consumer<Boolean> listener,
                          MeterRegistry registry) {
        this(kv, election, candidate, ttlSeconds, registry);
        addListener(listener);
    }

    /** An election whose listeners are added with {@link #addListener} before it starts. */
    public LeaderElection(EtcdKv kv, String election, String candidate, long ttlSeconds, MeterRegistry registry) {
        this.kv = kv;
        this.election = election;
        this.candidate = candidate;
        this.ttlSeconds = ttlSeconds;
        this.loop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "election-" + election.substring(election.lastIndexOf('/') + 1));
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("berth.leader", this, e -> e.leader ? 1 : 0)
                .tag("election", election.substring(election.lastIndexOf('/') + 1))
                .description("1 while this operator is the elected leader").register(registry);
    }

    /** Listeners hear every change in the order they were added (a controller adds its own last, at its start). */
    public void addListener(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    public void start() {
        loop.execute(this::campaign);
    }

    @Override
    public void start(Consumer<Boolean> listener) {
        addListener(listener);
        start();
    }

    /**
     * A guard that holds only while this candidate's leader key is the one etcd made when it won: added to a
     * leader's writes, it makes a former leader's late write fail instead of overwriting the new leader's.
     */
    public java.util.Optional<EtcdKv.Guard> leaderGuard() {
        LeaderKey key = leaderKey;
        if (!leader || key == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new EtcdKv.Guard(key.getKey().toString(java.nio.charset.StandardCharsets.UTF_8),
                key.getRevision()));
    }

    public boolean isLeader() {
        return leader;
    }

    private void campaign() {
        if (closed) {
            return;
        }
        int myGeneration = ++generation;
        if (!revokeStaleLeases()) {
            retryLater();
            return;
        }
        try {
            leaseId = kv.await(kv.client().getLeaseClient().grant(ttlSeconds), "grant election lease").getID();
            keepAlive = kv.keepAlive(leaseId, () -> lastAlive = System.nanoTime(),
                    why -> submit(() -> lost(myGeneration, why, null)));
        } catch (RuntimeException e) {
            if (leaseId != 0) {
                staleLeases.add(leaseId);
                leaseId = 0;
            }
            dev.berth.operator.store.RefusalWarnings.warnUnlessRefused(log, e,
                    "election {}: cannot get a lease, retrying in 2s: {}", election, e.getMessage());
            retryLater();
            return;
        }
        // Blocks in etcd until this candidate leads; no timeout on purpose (a follower waits for as long as it takes).
        campaign = kv.client().getElectionClient().campaign(bytes(election), leaseId, bytes(candidate));
        campaign.whenComplete((response, error) -> submit(() -> {
            if (myGeneration != generation || closed) {
                return;
            }
            if (error != null) {
                lost(myGeneration, "campaign failed: " + error.getMessage(), error);
                return;
            }
            leaderKey = response.getLeader();
            leader = true;
            lastAlive = System.nanoTime();
            watch(myGeneration);
            log.info("election {}: {} is the leader", election, candidate);
            notifyListener(true);
        }));
    }

    /** @param cause the failed call's error, if one ended it: a refusal is said by RefusalWarnings, not here */
    private void lost(int myGeneration, String why, Throwable cause) {
        if (myGeneration != generation || closed) {
            return;
        }
        boolean was = leader;
        leader = false;
        leaderKey = null;
        generation++;
        if (campaign != null) {
            campaign.cancel(true);
        }
        closeKeepAlive();
        if (leaseId != 0) {
            staleLeases.add(leaseId);
            leaseId = 0;
        }
        if (was || cause == null) {
            log.warn("election {}: {} ({}), campaigning again", election, was ? "lost leadership" : "left the race", why);
        } else {
            dev.berth.operator.store.RefusalWarnings.warnUnlessRefused(log, cause,
                    "election {}: left the race ({}), campaigning again", election, why);
        }
        if (was) {
            notifyListener(false);
        }
        retryLater();
    }

    /**
     * jetcd keeps retrying a keep-alive silently while etcd is unreachable, so the stream may never fail: step
     * down once no answer came for 90% of the TTL, before the lease can run out and another candidate win.
     */
    private void watch(int myGeneration) {
        long checkMillis = Math.max(200, ttlSeconds * 1000 / 3);
        CompletableFuture.delayedExecutor(checkMillis, TimeUnit.MILLISECONDS).execute(() -> submit(() -> {
            if (myGeneration != generation || closed || !leader) {
                return;
            }
            if (System.nanoTime() - lastAlive > TimeUnit.SECONDS.toNanos(ttlSeconds) * 9 / 10) {
                lost(myGeneration, "no keep-alive answer from etcd for 90% of the lease", null);
                return;
            }
            watch(myGeneration);
        }));
    }

    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("election {}: closed", election);
        }
    }

    /** False while etcd cannot be asked; a lease etcd no longer knows (expired meanwhile) counts as revoked. */
    private boolean revokeStaleLeases() {
        while (!staleLeases.isEmpty()) {
            long stale = staleLeases.peek();
            try {
                kv.await(kv.client().getLeaseClient().revoke(stale), "revoke the lease of an ended campaign");
            } catch (RuntimeException e) {
                String message = String.valueOf(e.getMessage());
                if (message.contains("UNAVAILABLE") || message.contains("did not answer")) {
                    log.debug("election {}: cannot revoke lease {} yet: {}", election, stale, message);
                    return false;
                }
                if (!message.contains("lease not found")) {
                    // Never a reason to stop campaigning: the lease ends by its TTL all the same.
                    log.warn("election {}: cannot revoke the lease {} of an ended campaign, it expires by itself: {}",
                            election, stale, message);
                }
            }
            staleLeases.poll();
        }
        return true;
    }

    private void retryLater() {
        CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(() -> submit(this::campaign));
    }

    private void notifyListener(boolean leading) {
        for (Consumer<Boolean> listener : listeners) {
            try {
                listener.accept(leading);
            } catch (RuntimeException e) {
                log.error("election {}: listener failed", election, e);
            }
        }
    }

    private void closeKeepAlive() {
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** Resigns (another candidate takes over at once) and gives the lease back. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            boolean was = leader;
            leader = false;
            try {
                if (leaderKey != null) {
                    kv.await(kv.client().getElectionClient().resign(leaderKey), "resign");
                }
                if (campaign != null) {
                    campaign.cancel(true);
                }
                closeKeepAlive();
                if (leaseId != 0) {
                    kv.await(kv.client().getLeaseClient().revoke(leaseId), "revoke election lease");
                }
            } catch (RuntimeException e) {
                log.debug("election {}: resign failed: {}", election, e.getMessage());
            }
            if (was) {
                notifyListener(false);
            }
        }, loop);
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("election {}: close did not finish: {}", election, e.toString());
        }
        loop.shutdownNow();
    }
}
