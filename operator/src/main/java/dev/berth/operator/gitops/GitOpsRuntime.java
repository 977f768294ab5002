package dev.berth.operator.gitops;

import dev.berth.crds.Kinds;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.http.HealthServer;
import dev.berth.operator.kit.Controller;
import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.secrets.SecretSettings;
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
 * The parts of the leader-only {@code gitops} controller that {@code Operator} declares: the sync (its reconciler),
 * the {@code gitops} election, and the webhook. The leader syncs every GitSource on its interval, when its object
 * changes, when a synced object is edited in etcd (self-heal, without a fetch), when the Secret holding its password
 * changes (with a fetch) and on a signed webhook.
 */
public final class GitOpsRuntime {
    private static final Logger log = LoggerFactory.getLogger(GitOpsRuntime.class);

    private final DesiredInformer sources;
    private final SecretRef secretRef;
    private final EtcdKv kv;
    private final String triggerPrefix;
    private final GitSync sync;
    private final LeaderElection election;

    /**
     * @param sources  the GitSources
     * @param secrets  the Secrets (passwords and webhook secrets by reference)
     * @param triggers webhooks that reached a follower, handed to the leader through etcd ({@link #triggersPrefix})
     * @param settings the {@code --secrets-dir} file references must be in
     * @param keyring  the operator's keyring (the cluster key file), shared with the stacks' Secret files
     */
    public GitOpsRuntime(DesiredInformer sources, DesiredInformer secrets, EtcdInformer<StoredValue> triggers,
                         Kinds kinds, EtcdKv kv, KeyLayout keys, String host, String instance, long leaseTtlSeconds,
                         SecretSettings settings, dev.berth.operator.secrets.OperatorKeyring keyring,
                         MeterRegistry registry) {
        this.sources = sources;
        this.kv = kv;
        this.triggerPrefix = triggersPrefix(keys);
        Path cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "berth-gitops", instance + "-" + host);
        SecretValues values = new SecretValues(secrets::get, secrets::synced, keyring);
        secretRef = new SecretRef(settings.secretsDir(), System::getenv, values);
        sync = new GitSync(kv, keys, kinds, new GitRepos(cacheDir, secretRef), values, new GitOpsMetrics(registry),
                host, Clock.systemUTC());
        // A changed GitSource or a webhook asks for a fetch; the sync of a synced object's edit (self-heal) does not.
        // Neither does a changed Secret, except for the sources that log in with it: a fixed password is used at once.
        sources.addHandler(sync::requestFetch);
        triggers.addHandler(sync::requestFetch);
        secrets.addHandler(secret -> loggingInWith(secret).forEach(sync::requestFetch));
        election = new LeaderElection(kv, keys.base() + "elections/gitops", host, leaseTtlSeconds, registry);
        election.addListener(this::leading);
    }

    /** The sources whose repository password is a key of Secret {@code secret}. */
    private List<String> loggingInWith(String secret) {
        return sources.names().stream().filter(name -> sources.get(name).flatMap(StoredObject::resource)
                .map(r -> r.spec(GitSourceSpec.class).credentials())
                .map(c -> c.passwordSecretRef() != null && secret.equals(c.passwordSecretRef().name()))
                .orElse(false)).toList();
    }

    public static String triggersPrefix(KeyLayout keys) {
        return keys.base() + "gitops-triggers/";
    }

    public LeaderElection election() {
        return election;
    }

    public Reconciler reconciler() {
        return this::reconcile;
    }

    /** Serves {@code POST /hooks/gitsource/<name>}: the leader syncs at once, a follower hands it on through etcd. */
    public void serveWebhooks(HealthServer http, Controller controller) {
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
        }, secretRef));
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

    private ReconcileResult reconcile(String name, dev.berth.reconcilers.Deadline deadline) {
        if (!election.isLeader() || !sources.synced()) {
            return ReconcileResult.done(); // the leader's election (or its first list) will enqueue it again
        }
        GitSync.Outcome outcome = sync.sync(name);
        if (outcome.retry()) {
            return ReconcileResult.failed(outcome.summary());
        }
        return outcome.requeueAfter().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
    }
}
