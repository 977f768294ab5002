package dev.berth.operator.gitops;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.Informers;
import dev.berth.operator.cache.RawValues;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.http.HealthServer;
import dev.berth.operator.kit.Controller;
import dev.berth.operator.kit.ControllerBuilder;
import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GitOps in one operator: the {@code gitops} controller, which runs only on the leader of the {@code gitops}
 * election and syncs every GitSource on its interval, when its object changes, when a synced object is edited in
 * etcd (self-heal, without a fetch) and on a signed webhook. The caches it reads are the operator's shared ones,
 * so a follower that takes over starts at once.
 */
public final class GitOpsRuntime {
    private static final Logger log = LoggerFactory.getLogger(GitOpsRuntime.class);

    private final DesiredInformer sources;
    private final GitSync sync;
    private final Controller controller;

    public GitOpsRuntime(Informers informers, Kinds kinds, EtcdKv kv, KeyLayout keys, String host, String instance,
                         long leaseTtlSeconds, RetryPolicy retry, MeterRegistry registry, HealthServer http) {
        KindDef gitSourceKind = kinds.byKind("GitSource").orElseThrow();
        Path cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "berth-gitops", instance + "-" + host);
        sync = new GitSync(kv, keys, kinds, new GitRepos(cacheDir, System::getenv), new GitOpsMetrics(registry), host,
                Clock.systemUTC());
        sources = informers.desired(gitSourceKind);
        // Webhooks that reached a follower, handed to the leader through etcd.
        String triggerPrefix = keys.base() + "gitops-triggers/";
        EtcdInformer<StoredValue> triggers = informers.prefix("gitops-triggers", triggerPrefix, StoredValue.class,
                new RawValues(triggerPrefix));
        // A changed GitSource or a webhook asks for a fetch; the sync of a synced object's edit (self-heal) does not.
        sources.addHandler(sync::requestFetch);
        triggers.addHandler(sync::requestFetch);
        LeaderElection election = new LeaderElection(kv, keys.base() + "elections/gitops", host, leaseTtlSeconds,
                registry);
        election.addListener(this::leading);
        ControllerBuilder declaration = ControllerBuilder.named("gitops")
                .forObjects(sources)
                .watchesNow(triggers, List::of)
                .allKeys(sources::names)
                .reconciler(this::reconcile)
                .workers(2)
                .leaderOnly(election);
        for (KindDef kind : kinds.all()) {
            if (!kind.equals(gitSourceKind)) {
                // A synced object changed in etcd (maybe by hand): look again from the cached commit, no fetch.
                declaration.watches(informers.desired(kind), name -> sources.names());
            }
        }
        controller = declaration.build(retry, registry);
        http.handle(WebhookHandler.PATH, new WebhookHandler(new WebhookHandler.Sources() {
            @Override
            public Optional<GitSourceSpec> spec(String name) {
                return sources.get(name).flatMap(StoredObject::resource).map(r -> r.spec(GitSourceSpec.class));
            }

            @Override
            public boolean leader() {
                return controller.leading();
            }

            @Override
            public void trigger(String name) {
                sync.requestFetch(name);
                controller.enqueue(name);
            }

            @Override
            public void forward(String name) {
                kv.put(triggerPrefix + name, java.time.Instant.now().toString());
            }
        }, System::getenv));
    }

    public Controller controller() {
        return controller;
    }

    public boolean isLeader() {
        return controller.leading();
    }

    /** Runs before the controller's workers start (its listener is added first): every source is fetched anew. */
    private void leading(boolean now) {
        if (now) {
            log.info("gitops: leading; syncing {} source(s)", sources.names().size());
            sources.names().forEach(sync::requestFetch);
        } else {
            log.info("gitops: no longer the leader; syncing stops");
        }
    }

    private ReconcileResult reconcile(String name) {
        if (!controller.leading() || !sources.synced()) {
            return ReconcileResult.done(); // the leader's election (or its first list) will enqueue it again
        }
        GitSync.Outcome outcome = sync.sync(name);
        if (outcome.retry()) {
            return ReconcileResult.failed(outcome.summary());
        }
        return outcome.requeueAfter().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
    }
}
