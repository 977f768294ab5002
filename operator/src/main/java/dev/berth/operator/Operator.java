package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.Informers;
import dev.berth.operator.kit.Controller;
import dev.berth.operator.kit.ControllerBuilder;
import dev.berth.operator.kit.Lifecycle;
import dev.berth.operator.kit.Topic;
import dev.berth.operator.route.RouteRuntime;
import dev.berth.operator.gitops.GitOpsRuntime;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StackReconciler;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.http.HealthServer;
import dev.berth.operator.overlay.OverlayRuntime;
import dev.berth.operator.overlay.UnderlayProbe;
import dev.berth.reconcilers.overlay.OverlayHost;
import dev.berth.operator.metrics.DockerApiMetrics;
import dev.berth.operator.metrics.DriftMetrics;
import dev.berth.operator.metrics.EtcdMetrics;
import dev.berth.operator.metrics.ObjectMetrics;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerGateway;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.StackConverger;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Berth operator on one Docker host: its sources (shared informers, the Docker event stream), its controllers
 * as declarations, and a lifecycle that starts them in order and stops them in reverse.
 */
public final class Operator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Operator.class);

    /** Everything the operator is told on its command line. */
    public record Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys,
                           String dockerHost, String instance, InetSocketAddress listen, Duration resync, int workers,
                           long hostTtlSeconds, RetryPolicy retry, String version, Underlay underlay,
                           dev.berth.operator.route.RouteRuntime.Settings routes) {
        /** Without route settings: Traefik's root key {@code traefik}, published ports advertised on the underlay IP. */
        public Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys, String dockerHost,
                        String instance, InetSocketAddress listen, Duration resync, int workers, long hostTtlSeconds,
                        RetryPolicy retry, String version, Underlay underlay) {
            this(host, hostLabels, etcd, keys, dockerHost, instance, listen, resync, workers, hostTtlSeconds, retry, version,
                    underlay, dev.berth.operator.route.RouteRuntime.Settings.defaults());
        }
    }

    /**
     * Where the overlay's VXLAN traffic goes: an interface or an address (none: overlays are off on this host),
     * and the network namespace whose links Berth manages (empty: the operator's own).
     */
    public record Underlay(Optional<String> iface, Optional<String> ip, Optional<String> netns) {
        public static Underlay none() {
            return new Underlay(Optional.empty(), Optional.empty(), Optional.empty());
        }

        public boolean enabled() {
            return iface.isPresent() || ip.isPresent();
        }
    }

    private final Settings settings;
    private final PrometheusMeterRegistry registry = dev.berth.operator.metrics.BerthRegistry.create();
    /** Every part in start order; stopped in reverse. */
    private final Lifecycle lifecycle = new Lifecycle();
    private final Informers informers;
    private final ObservedCache observed;
    private final RouteRuntime routes;
    /** The controllers this operator runs, as declared below. */
    private final List<Controller> controllers = new ArrayList<>();
    private final HealthServer http;
    private final ScheduledExecutorService resyncTimer;
    private final io.micrometer.core.instrument.Counter resyncs;

    public Operator(Settings settings) throws IOException {
        this.settings = settings;
        Kinds kinds = Kinds.standard();
        registerProcessMetrics(settings.version());

        Client etcdClient = EtcdConnector.connect(settings.etcd());
        lifecycle.closes("etcd client", etcdClient);
        EtcdKv kv = new EtcdKv(etcdClient, settings.etcd(), new EtcdMetrics(registry));
        ResourceStore store = new ResourceStore(kv, settings.keys(), kinds, new ManifestParser(kinds));
        DockerClient dockerClient = DockerClients.connect(settings.dockerHost());
        lifecycle.closes("docker client", dockerClient);
        DockerClient dockerEvents = DockerClients.connectForEvents(settings.dockerHost());
        lifecycle.closes("docker event client", dockerEvents);
        DockerGateway docker = new DockerGateway(dockerClient, dockerEvents, settings.instance(), new DockerApiMetrics(registry));
        ObjectMetrics objectMetrics = new ObjectMetrics(registry, kinds.all(), Clock.systemUTC());
        HostInfo host = new HostInfo(settings.host(), settings.hostLabels());
        Optional<OverlayHost> underlay = settings.underlay().enabled()
                ? Optional.of(UnderlayProbe.probe(settings.host(), settings.underlay().netns(), settings.underlay().iface(),
                        settings.underlay().ip()))
                : Optional.empty();
        String now = java.time.Instant.now().toString();
        HostRegistration registration = new HostRegistration(kv, settings.keys(), new HostRecord(settings.host(),
                settings.hostLabels(), settings.version(), now, underlay.map(OverlayHost::underlayIp).orElse(null),
                HostRecord.vtepMacFor(settings.host()), List.of(), now), settings.hostTtlSeconds());

        // The sources: one etcd watch per prefix, one Docker event stream, each with any number of handlers.
        informers = new Informers(kv, store, settings.retry(), registry);
        DesiredInformer stacks = informers.desired(kinds.byKind("Stack").orElseThrow());
        Topic<ObjectKey> owners = new Topic<>("observed");
        routes = new RouteRuntime(informers, kinds.byKind("Route").orElseThrow(), stacks, kv, settings.keys(),
                settings.host(), settings.instance(), settings.routes(),
                Optional.ofNullable(settings.routes().advertiseAddress())
                        .orElse(underlay.map(OverlayHost::underlayIp).orElse("127.0.0.1")),
                settings.retry(), registry);
        observed = new ObservedCache(docker, owner -> ObjectKey.tryParse(owner).ifPresent(owners::publish),
                routes::containersListed, settings.retry(), registry);

        // The controllers.
        Optional<OverlayRuntime> overlay = underlay.map(u -> new OverlayRuntime(informers,
                kinds.byKind("Network").orElseThrow(), stacks, observed, owners, kv, settings.keys(), registration, host,
                settings.instance(), u, settings.underlay().netns(), dockerClient,
                new StatusWriter(kv, settings.keys(), settings.host(), objectMetrics), settings.retry(), 2, registry));
        ExternalNetworks networks = overlay.map(OverlayRuntime::externalNetworks).orElse(ExternalNetworks.none());
        controllers.add(ControllerBuilder.named("stack")
                .forObjects(stacks)
                .owns(owners, ObjectKey.STACK)
                .watchesNow(routes.labelChanges(), List::of)
                .allKeys(() -> stackKeys(stacks))
                .reconciler(new StackReconciler(host, settings.instance(), stacks, observed, new StackConverger(docker),
                        new StatusWriter(kv, settings.keys(), settings.host(), objectMetrics), Clock.systemUTC(),
                        new DriftMetrics(registry, List.of("stack")), networks, routes.serviceLabels()))
                .workers(settings.workers())
                .build(settings.retry(), registry));
        overlay.ifPresent(o -> controllers.add(o.controller()));
        controllers.add(routes.controller());

        EtcdKv probe = new EtcdKv(etcdClient, new EtcdSettings(settings.etcd().endpoints(), null, null, null, null, null,
                Duration.ofSeconds(2)));
        http = new HealthServer(settings.listen(), registry, List.of(
                new HealthServer.Check("desired-cache", () -> stacks.synced() ? null : "not yet listed from etcd"),
                new HealthServer.Check("observed-cache", () -> observed.synced() ? null : "not yet listed from Docker"),
                new HealthServer.Check("overlay", () -> overlay.map(o -> o.synced() ? null : "networks and hosts not yet listed")
                        .orElse(null)),
                new HealthServer.Check("etcd", () -> {
                    probe.get(settings.keys().base());
                    return null;
                }),
                new HealthServer.Check("docker", () -> {
                    dockerClient.pingCmd().exec();
                    return null;
                })));
        controllers.add(new GitOpsRuntime(informers, kinds, kv, settings.keys(), settings.host(), settings.instance(),
                settings.hostTtlSeconds(), settings.retry(), registry, http).controller());

        resyncTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "resync");
            t.setDaemon(true);
            return t;
        });
        resyncs = io.micrometer.core.instrument.Counter.builder("berth.resyncs")
                .description("Full re-lists of etcd and Docker by the resync timer").register(registry);
        Gauge.builder("berth.host.lease.alive", registration, r -> r.alive() ? 1 : 0)
                .description("1 while this host's record is kept alive in etcd").register(registry);

        lifecycle.add("http", http::start, http::close)
                .add("informers", informers::start, informers::close)
                .add("observed", observed::start, observed::close)
                .add("host registration", registration::start, registration::close)
                .add("backend publisher", () -> { }, routes::close);
        for (Controller controller : controllers) {
            lifecycle.add("controller " + controller.name(), controller::start, () -> controller.stop(Duration.ofSeconds(20)));
        }
        long period = settings.resync().toMillis();
        lifecycle.add("resync timer",
                () -> resyncTimer.scheduleAtFixedRate(this::resync, period, period, TimeUnit.MILLISECONDS),
                resyncTimer::shutdownNow);
    }

    /** Stacks in etcd, and stacks that only have containers here (deleted, or no longer placed here). */
    private Collection<String> stackKeys(DesiredInformer stacks) {
        Set<String> names = new HashSet<>(stacks.names());
        observed.owners().stream().map(ObjectKey::tryParse).flatMap(Optional::stream)
                .map(k -> k.nameIf(ObjectKey.STACK)).flatMap(Optional::stream).forEach(names::add);
        return names;
    }

    private void registerProcessMetrics(String version) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("berth.build.info", () -> 1).tag("version", version)
                .description("Berth's version; always 1").register(registry);
    }

    public void start() {
        lifecycle.start();
        log.info("operator started on host {} (labels {}, instance {}), metrics and health on port {}; controllers {}",
                settings.host(), settings.hostLabels(), settings.instance(), http.port(),
                controllers.stream().map(Controller::name).toList());
    }

    /** Lists etcd and Docker again and looks at every key: repairs whatever events missed. */
    private void resync() {
        informers.resync();
        observed.resync();
        controllers.forEach(Controller::resync);
        routes.resync();
        resyncs.increment();
    }

    /** The etcd prefixes this operator mirrors: one informer, and one watch, each. */
    public List<String> watchedPrefixes() {
        return informers.prefixes();
    }

    public int httpPort() {
        return http.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        log.info("operator stopping: finishing reconciles in flight");
        lifecycle.close();
        log.info("operator stopped");
    }
}
