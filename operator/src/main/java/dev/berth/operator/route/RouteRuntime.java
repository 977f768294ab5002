package dev.berth.operator.route;

import dev.berth.crds.KindDef;
import dev.berth.crds.route.RouteSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.Informers;
import dev.berth.operator.cache.RawValues;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRecordCodec;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.kit.Controller;
import dev.berth.operator.kit.ControllerBuilder;
import dev.berth.operator.kit.Source;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
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
 * Routes the stack controller merges into its containers ({@link #serviceLabels()}, {@link #labelChanges()}). On the
 * one elected leader ({@code <root>/v1/elections/routes}): the {@code route} controller, which writes Traefik's keys
 * and the Routes' status.
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
    private final Controller controller;
    private volatile StatusWriter status;

    public RouteRuntime(Informers informers, KindDef routeKind, DesiredInformer stacks, EtcdKv kv, KeyLayout keys,
                        String host, String instance, Settings settings, String address, RetryPolicy retry,
                        MeterRegistry registry) {
        this.status = new StatusWriter(kv, keys, host);
        routes = informers.desired(routeKind);
        hosts = informers.prefix("hosts", keys.hostsPrefix(), HostRecord.class, new HostRecordCodec(keys));
        String backendPrefix = EtcdBackendDirectory.prefix(keys);
        EtcdInformer<StoredValue> backends = informers.prefix("backends", backendPrefix, StoredValue.class,
                new RawValues(backendPrefix));
        labelRoutes = new LabelRoutes(routes);
        writer = new TraefikKvWriter(kv, keys);
        EtcdBackendDirectory directory = new EtcdBackendDirectory(kv, keys);
        // Before the first list of live hosts every backend would look dead and every route lose its servers:
        // until then a reconcile fails (and is retried with backoff) instead of writing anything.
        Supplier<Set<String>> liveHosts = () -> {
            if (!hosts.synced()) {
                throw new IllegalStateException("live hosts not yet listed from etcd");
            }
            return hosts.names();
        };
        election = new LeaderElection(kv, keys.base() + "elections/routes", host, 10, registry);
        election.addListener(leading -> {
            if (leading) {
                // A fresh writer: another leader may have written status since this one last did.
                status = new StatusWriter(kv, keys, host);
                log.info("route leader on {}: writing Traefik's keys under {}/", host, settings.traefikRoot());
            }
        });
        RouteReconciler reconciler = new RouteReconciler(routes, stacks, directory, liveHosts, writer,
                settings.traefikRoot(), election::isLeader, () -> status, host, Clock.systemUTC());
        controller = ControllerBuilder.named("route")
                .forObjects(routes)
                // A backend list key is <stack>/<host>: routes to that stack may have gained or lost servers.
                .watches(backends, key -> key.contains("/") ? routesTo(key.substring(0, key.indexOf('/'))) : List.of())
                .watches(hosts, h -> allKeys())
                .watches(stacks, this::routesTo)
                .allKeys(this::allKeys)
                .reconciler(reconciler)
                .workers(1)
                .leaderOnly(election)
                .build(retry, registry);
        publisher = new BackendPublisher(directory, host, instance, address);
    }

    public Controller controller() {
        return controller;
    }

    public boolean synced() {
        return routes.synced() && hosts.synced();
    }

    public boolean leader() {
        return election.isLeader();
    }

    /** The observed cache listed Docker's containers (at start, on changes and on resync): publish what changed. */
    public void containersListed(java.util.List<com.github.dockerjava.api.model.Container> containers) {
        publisher.listed(containers);
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

    private Collection<String> routesTo(String stack) {
        List<String> names = new java.util.ArrayList<>();
        for (String name : routes.names()) {
            routes.get(name).flatMap(StoredObject::resource).map(r -> r.spec(RouteSpec.class))
                    .filter(s -> s.target().stack().equals(stack)).ifPresent(s -> names.add(name));
        }
        return names;
    }

    private Collection<String> allKeys() {
        Set<String> names = new HashSet<>(routes.names());
        if (election.isLeader()) {
            try {
                names.addAll(writer.writtenRoutes());
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
