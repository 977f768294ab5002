package dev.berth.operator.route;

import dev.berth.crds.KindDef;
import dev.berth.crds.route.RouteSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.ControllerLoop;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.queue.RateLimit;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.queue.WorkQueue;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.route.ServiceLabels;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.route.TraefikLabels;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Routes need in a running operator. On every operator: the Route cache, and the publisher of this
 * host's backends. On the one elected leader ({@code <root>/v1/elections/routes}): the Route controller that
 * writes Traefik's keys and the Routes' status. Labels-mode Routes reach the stack controller through
 * {@link #serviceLabels()}.
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

    private final WorkQueue queue;
    private final DesiredInformer routes;
    private final EtcdInformer<String> backends;
    private final EtcdInformer<String> hosts;
    private final ControllerLoop loop;
    private final LeaderElection election;
    private final BackendPublisher publisher;
    private final TraefikKvWriter writer;
    private final Consumer<String> stackChanged;
    private volatile StatusWriter status;
    private volatile Map<String, RouteSpec> labelRoutes = Map.of();

    /**
     * @param stackChanged told the name of a stack whose labels-mode routes changed (re-reconcile its containers)
     */
    public RouteRuntime(KindDef routeKind, EtcdKv kv, KeyLayout keys, ResourceStore store, DesiredInformer stacks,
                        String host, String instance, Settings settings, String address,
                        Consumer<String> stackChanged, RetryPolicy retry, MeterRegistry registry) {
        this.stackChanged = stackChanged;
        this.status = new StatusWriter(kv, keys, host);
        queue = new WorkQueue("route", retry, RateLimit.defaults(), registry);
        writer = new TraefikKvWriter(kv, keys);
        routes = new DesiredInformer(routeKind, kv, store, key -> {
            queue.add(key.name());
            refreshLabelRoutes();
        }, retry, registry);
        EtcdBackendDirectory directory = new EtcdBackendDirectory(kv, keys);
        backends = new EtcdInformer<>("backends", EtcdBackendDirectory.prefix(keys), kv,
                new RawCodec(EtcdBackendDirectory.prefix(keys)), name -> {
                    int slash = name.indexOf('/');
                    if (slash > 0) {
                        enqueueFor(name.substring(0, slash));
                    }
                },
                retry, registry);
        hosts = new EtcdInformer<>("route-hosts", keys.hostsPrefix(), kv, new RawCodec(keys.hostsPrefix()),
                name -> enqueueAll(), retry, registry);
        // Before the first list of live hosts every backend would look dead and every route lose its servers:
        // until then a reconcile fails (and is retried with backoff) instead of writing anything.
        java.util.function.Supplier<java.util.Set<String>> liveHosts = () -> {
            if (!hosts.synced()) {
                throw new IllegalStateException("live hosts not yet listed from etcd");
            }
            return hosts.names();
        };
        RouteReconciler controller = new RouteReconciler(routes, stacks, directory, liveHosts, writer,
                settings.traefikRoot(), this::leading, () -> status, host, Clock.systemUTC());
        loop = new ControllerLoop("route", queue, controller, 1, registry);
        election = new LeaderElection(kv, keys.base() + "elections/routes", host, 10, leading -> {
            if (leading) {
                // A fresh writer: another leader may have written status since this one last did.
                status = new StatusWriter(kv, keys, host);
                log.info("route leader on {}: writing Traefik's keys under {}/", host, settings.traefikRoot());
                enqueueAll();
            }
        }, registry);
        publisher = new BackendPublisher(directory, host, instance, address);
    }

    private boolean leading() {
        return election.isLeader();
    }

    public boolean leader() {
        return election.isLeader();
    }

    public void start() {
        routes.start();
        backends.start();
        hosts.start();
        loop.start();
        election.start();
    }

    public boolean synced() {
        return routes.synced() && hosts.synced();
    }

    /** The observed cache listed Docker's containers (at start, on changes and on resync): publish what changed. */
    public void containersListed(java.util.List<dev.berth.reconcilers.docker.ListedContainer> containers) {
        publisher.listed(containers);
    }

    /** Stacks changed: routes to them may now resolve (or not). */
    public void stackChanged(String stack) {
        enqueueFor(stack);
    }

    public void resync() {
        routes.resync();
        backends.resync();
        hosts.resync();
        publisher.resync();
        enqueueAll();
    }

    /** The labels of labels-mode Routes for a stack service's containers (empty for kv-mode routes). */
    public ServiceLabels serviceLabels() {
        return new ServiceLabels() {
            @Override
            public Map<String, String> labelsFor(String stack, StackSpec spec, String service) {
                return TraefikLabels.forService(stack, spec, service, labelRoutes);
            }

            @Override
            public boolean ready() {
                return routes.synced();
            }
        };
    }

    private void refreshLabelRoutes() {
        Map<String, RouteSpec> next = new HashMap<>();
        for (String name : routes.names()) {
            Optional<StoredObject> route = routes.get(name);
            if (route.isPresent() && !route.get().valid()) {
                // Invalid YAML in etcd is not a deleted route: keep its last valid labels on the containers.
                Optional.ofNullable(labelRoutes.get(name)).ifPresent(s -> next.put(name, s));
                continue;
            }
            route.map(o -> o.resource().orElseThrow().spec(RouteSpec.class))
                    .filter(s -> RouteSpec.LABELS.equals(s.mode())).ifPresent(s -> next.put(name, s));
        }
        Set<String> touched = new HashSet<>();
        labelRoutes.forEach((n, s) -> {
            if (!s.equals(next.get(n))) {
                touched.add(s.target().stack());
            }
        });
        next.forEach((n, s) -> {
            if (!s.equals(labelRoutes.get(n))) {
                touched.add(s.target().stack());
            }
        });
        labelRoutes = Map.copyOf(next);
        touched.forEach(stackChanged);
    }

    private void enqueueFor(String stack) {
        for (String name : routes.names()) {
            routes.get(name).flatMap(StoredObject::resource).map(r -> r.spec(RouteSpec.class))
                    .filter(s -> s.target().stack().equals(stack)).ifPresent(s -> queue.addUnlessBackingOff(name));
        }
    }

    private void enqueueAll() {
        Set<String> names = new HashSet<>(routes.names());
        if (election.isLeader()) {
            try {
                names.addAll(writer.writtenRoutes());
            } catch (RuntimeException e) {
                log.debug("cannot list written routes: {}", e.getMessage());
            }
        }
        names.forEach(queue::addUnlessBackingOff);
    }

    @Override
    public void close() {
        publisher.close();
        election.close();
        loop.stop(Duration.ofSeconds(20));
        routes.close();
        backends.close();
        hosts.close();
    }

    /** The keys are only triggers (and host names); the controller reads the values itself. */
    private static final class RawCodec implements EtcdInformer.Codec<String> {
        private final String prefix;

        RawCodec(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Optional<String> name(String key) {
            return key.startsWith(prefix) && key.length() > prefix.length() ? Optional.of(key.substring(prefix.length()))
                    : Optional.empty();
        }

        @Override
        public String decode(String name, StoredValue value) {
            return value.value();
        }

        @Override
        public long revision(String value) {
            return -1;
        }
    }

}
