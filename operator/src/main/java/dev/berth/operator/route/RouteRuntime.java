package dev.berth.operator.route;

import dev.berth.crds.route.RouteSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.StoredValue;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.kit.Source;
import dev.berth.operator.overlay.ReachabilityView;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.route.ServiceLabels;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes in a running operator. On every operator: the publisher of this host's backends, and the labels-mode
 * Routes the stack controller merges into its containers ({@link #serviceLabels()}, {@link #labelChanges()}). For
 * the leader-only {@code route} controller that {@code Operator} declares: its reconciler, its election
 * ({@code <root>/v1/elections/routes}) and how events map to Routes.
 */
public final class RouteRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouteRuntime.class);

    /** Route settings of an operator: Traefik's root key and the address other hosts reach published ports on. */
    public record Settings(String traefikRoot, String advertiseAddress) {
        public Settings {
            if (traefikRoot == null || traefikRoot.isBlank() || traefikRoot.startsWith("/") || traefikRoot.endsWith("/")) {
                throw new IllegalArgumentException("Traefik's root key must be a non-empty key without leading or trailing /: "
                        + traefikRoot);
            }
        }

        public static Settings defaults() {
            return new Settings(dev.berth.reconcilers.route.TraefikNames.DEFAULT_ROOT, null);
        }
    }

    private final DesiredInformer routes;
    private final EtcdInformer<HostRecord> hosts;
    private final LabelRoutes labelRoutes;
    private final LeaderElection election;
    private final BackendPublisher publisher;
    private final TraefikKvWriter writer;
    private final EtcdInformer<StoredValue> records;
    private final RouteReconciler reconciler;
    private volatile StatusWriter status;

    /**
     * @param reachability which hosts without a record are Unknown (still reached through the overlay): their
     *                     backends stay Route servers, as their containers keep serving
     */
    public RouteRuntime(DesiredInformer routes, EtcdInformer<HostRecord> hosts, DesiredInformer stacks,
                        Mirrors mirrors, EtcdKv kv,
                        KeyLayout keys, String host, String instance, Settings settings, String address,
                        ReachabilityView reachability, MeterRegistry registry) {
        this.routes = routes;
        this.hosts = hosts;
        this.status = new StatusWriter(kv, keys, host);
        labelRoutes = new LabelRoutes(routes);
        election = new LeaderElection(kv, keys.base() + "elections/routes", host, 10, registry);
        RouteMetrics metrics = new RouteMetrics(registry, election::isLeader);
        writer = new TraefikKvWriter(kv, keys, metrics::kvWrite);
        EtcdBackendDirectory directory = new EtcdBackendDirectory(kv, keys);
        // Before the first list of live hosts (and of probe reports) every backend would look dead and every route
        // lose its servers: until then a reconcile fails (and is retried with backoff) instead of writing anything.
        Supplier<Set<String>> liveHosts = () -> {
            if (!hosts.synced() || !reachability.synced()) {
                throw new IllegalStateException("live hosts or probe reports not yet listed from etcd");
            }
            Set<String> serving = new HashSet<>(hosts.names());
            serving.addAll(reachability.now().unknownHosts());
            return serving;
        };
        election.addListener(leading -> {
            metrics.clear();
            if (leading) {
                // A fresh writer: another leader may have written status since this one last did.
                status = new StatusWriter(kv, keys, host);
                log.info("route leader on {}: writing Traefik's keys under {}/", host, settings.traefikRoot());
            }
        });
        reconciler = new RouteReconciler(routes, stacks, directory, liveHosts,
                () -> reachability.synced() ? reachability.now().untilNextChange() : java.util.Optional.empty(), writer,
                settings.traefikRoot(), election::isLeader, () -> status, host, Clock.systemUTC(), metrics);
        publisher = new BackendPublisher(directory, mirrors.backends(), host, instance, address);
        this.records = mirrors.records();
    }

    /**
     * Informers on prefixes this runtime reads at every resync, so that a resync lists nothing: every host's backend
     * lists ({@link #backendsPrefix}) and the records of the routes Berth wrote Traefik keys for
     * ({@link #recordsPrefix}), named by route.
     */
    public record Mirrors(EtcdInformer<StoredValue> backends, EtcdInformer<StoredValue> records) {
    }

    /** Where the records of written routes live, one key per route. */
    public static String recordsPrefix(KeyLayout keys) {
        return TraefikKvWriter.recordPrefix(keys);
    }

    /** Where backend lists live: {@code <root>/v1/backends/<stack>/<host>}. */
    public static String backendsPrefix(KeyLayout keys) {
        return EtcdBackendDirectory.prefix(keys);
    }

    public RouteReconciler reconciler() {
        return reconciler;
    }

    public LeaderElection election() {
        return election;
    }

    public boolean synced() {
        return routes.synced() && hosts.synced();
    }

    public boolean leader() {
        return election.isLeader();
    }

    /** The observed cache listed Docker's containers (at start, on changes and on resync): publish what changed. */
    public void containersListed(java.util.List<dev.berth.reconcilers.docker.ListedContainer> containers) {
        publisher.listed(containers);
    }

    /** Which replicas this host no longer serves as backends (the scheduler moved them); see {@link #backendsChanged()}. */
    public void leaving(dev.berth.reconcilers.route.BackendLister.Leaving leaving) {
        publisher.leaving(leaving);
    }

    /** What the leaving rule answers may have changed (an assignment changed): publish again. */
    public void backendsChanged() {
        publisher.recheck();
    }

    /** The resync timer: publish this host's backends again if etcd lost them. */
    public void resync() {
        publisher.resync();
    }

    /** The labels of labels-mode Routes for a stack service's containers (empty for kv-mode routes). */
    public ServiceLabels serviceLabels() {
        return labelRoutes;
    }

    /** Names of stacks whose labels-mode Routes changed. */
    public Source<String> labelChanges() {
        return labelRoutes;
    }

    /** A backend list changed (its key is {@code <stack>/<host>}): the Routes to that stack. */
    public Collection<String> routesForBackends(String key) {
        int slash = key.indexOf('/');
        return slash > 0 ? routesTo(key.substring(0, slash)) : List.of();
    }

    /** The Routes that target {@code stack}. */
    public Collection<String> routesTo(String stack) {
        List<String> names = new java.util.ArrayList<>();
        for (String name : routes.names()) {
            routes.get(name).flatMap(StoredObject::resource).map(r -> r.spec(RouteSpec.class))
                    .filter(s -> s.target().stack().equals(stack)).ifPresent(s -> names.add(name));
        }
        return names;
    }

    /** Every Route, and on the leader every route Berth holds Traefik keys for (deleted ones included). */
    public Collection<String> allKeys() {
        Set<String> names = new HashSet<>(routes.names());
        if (election.isLeader()) {
            try {
                names.addAll(records.synced() ? records.names() : writer.writtenRoutes());
            } catch (RuntimeException e) {
                log.debug("cannot list written routes: {}", e.getMessage());
            }
        }
        return names;
    }

    @Override
    public void close() {
        publisher.close();
    }
}
