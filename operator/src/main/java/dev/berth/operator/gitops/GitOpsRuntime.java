package dev.berth.operator.gitops;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.ControllerLoop;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.control.ReconcileResult;
import dev.berth.operator.http.HealthServer;
import dev.berth.operator.queue.RateLimit;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.queue.WorkQueue;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GitOps in one operator: campaigns for the {@code gitops} election; while leading, syncs every GitSource on its
 * interval, when its object changes, when a synced object is edited in etcd (self-heal, without a fetch) and on a
 * signed webhook. Followers keep the same caches warm so a take-over starts at once.
 */
public final class GitOpsRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GitOpsRuntime.class);

    private final LeaderElection election;
    private final DesiredInformer sources;
    /** Webhooks that reached a follower, handed to the leader through etcd. */
    private final EtcdInformer<Long> triggers;
    private final EtcdKv kv;
    private final String triggerPrefix;
    private final List<DesiredInformer> synced = new ArrayList<>();
    private final WorkQueue queue;
    private final ControllerLoop loop;
    private final GitSync sync;
    private volatile boolean leader;

    public GitOpsRuntime(EtcdKv kv, KeyLayout keys, String host, String instance, long leaseTtlSeconds,
                         RetryPolicy retry, MeterRegistry registry, HealthServer http) {
        Kinds kinds = Kinds.standard();
        KindDef gitSourceKind = kinds.byKind("GitSource").orElseThrow();
        ResourceStore store = new ResourceStore(kv, keys, kinds, new ManifestParser(kinds));
        Path cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "berth-gitops", instance + "-" + host);
        sync = new GitSync(kv, keys, kinds, new GitRepos(cacheDir, System::getenv), new GitOpsMetrics(registry), host,
                Clock.systemUTC());
        queue = new WorkQueue("gitops", retry, RateLimit.defaults(), registry);
        loop = new ControllerLoop("gitops", queue, this::reconcile, 2, registry);
        sources = new DesiredInformer(gitSourceKind, kv, store, key -> {
            if (leader) {
                sync.requestFetch(key.name());
                queue.add(key.name());
            }
        }, retry, registry);
        for (KindDef kind : kinds.all()) {
            if (!kind.equals(gitSourceKind)) {
                // A synced object changed in etcd (maybe by hand): look again from the cached commit, no fetch.
                synced.add(new DesiredInformer(kind, kv, store, key -> enqueueAll(), retry, registry));
            }
        }
        this.kv = kv;
        this.triggerPrefix = keys.base() + "gitops-triggers/";
        triggers = new EtcdInformer<>("gitops-triggers", triggerPrefix, kv, new EtcdInformer.Codec<>() {
            @Override
            public Optional<String> name(String key) {
                return key.startsWith(triggerPrefix) ? Optional.of(key.substring(triggerPrefix.length())) : Optional.empty();
            }

            @Override
            public Long decode(String name, StoredValue value) {
                return value.modRevision();
            }

            @Override
            public long revision(Long value) {
                return value;
            }
        }, name -> {
            if (leader) {
                sync.requestFetch(name);
                queue.add(name);
            }
        }, retry, registry);
        election = new LeaderElection(kv, keys.base() + "elections/gitops", host, leaseTtlSeconds, this::leading,
                registry);
        http.handle(WebhookHandler.PATH, new WebhookHandler(new WebhookHandler.Sources() {
            @Override
            public Optional<GitSourceSpec> spec(String name) {
                return sources.get(name).flatMap(StoredObject::resource).map(r -> r.spec(GitSourceSpec.class));
            }

            @Override
            public boolean leader() {
                return leader;
            }

            @Override
            public void trigger(String name) {
                sync.requestFetch(name);
                queue.add(name);
            }

            @Override
            public void forward(String name) {
                kv.put(triggerPrefix + name, java.time.Instant.now().toString());
            }
        }, System::getenv));
    }

    public void start() {
        sources.start();
        triggers.start();
        synced.forEach(DesiredInformer::start);
        loop.start();
        election.start();
    }

    public boolean isLeader() {
        return leader;
    }

    private void leading(boolean now) {
        leader = now;
        if (now) {
            log.info("gitops: leading; syncing {} source(s)", sources.names().size());
            for (String name : sources.names()) {
                sync.requestFetch(name);
                queue.add(name);
            }
        } else {
            log.info("gitops: no longer the leader; syncing stops");
        }
    }

    private void enqueueAll() {
        if (leader) {
            sources.names().forEach(queue::addUnlessBackingOff);
        }
    }

    private ReconcileResult reconcile(String name) {
        if (!leader || !sources.synced()) {
            return ReconcileResult.done(); // the leader's election (or its first list) will enqueue it again
        }
        GitSync.Outcome outcome = sync.sync(name);
        if (outcome.retry()) {
            return ReconcileResult.failed(outcome.summary());
        }
        return outcome.requeueAfter().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
    }

    @Override
    public void close() {
        election.close();
        leader = false;
        loop.stop(Duration.ofSeconds(10));
        sources.close();
        triggers.close();
        synced.forEach(DesiredInformer::close);
    }
}
