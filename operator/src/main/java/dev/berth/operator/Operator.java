package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.ControllerLoop;
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
import dev.berth.operator.queue.RateLimit;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.queue.WorkQueue;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.InstrumentedDocker;
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

/** One Berth operator on one Docker host: every part wired by hand, started and stopped in order. */
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
    private final Client etcdClient;
    private final DockerClient dockerClient;
    private final DockerClient dockerEvents;
    private final WorkQueue stackQueue;
    private final DesiredInformer stacks;
    private final ObservedCache observed;
    private final ControllerLoop stackLoop;
    private final HostRegistration registration;
    private final HealthServer http;
    private final ScheduledExecutorService resyncTimer;
    private final io.micrometer.core.instrument.Counter resyncs;
    /** Empty when this host has no underlay: it then takes part in no overlay Network. */
    private volatile Optional<OverlayRuntime> overlay = Optional.empty();
    private final dev.berth.operator.gitops.GitOpsRuntime gitops;
    /** Routes: the Route cache and backend publisher here, Traefik's keys on the elected leader. */
    private volatile dev.berth.operator.route.RouteRuntime routes;

    public Operator(Settings settings) throws IOException {
        this.settings = settings;
        Kinds kinds = Kinds.standard();
        KindDef stackKind = kinds.byKind("Stack").orElseThrow();
        registerProcessMetrics(settings.version());

        etcdClient = EtcdConnector.connect(settings.etcd());
        EtcdKv kv = new EtcdKv(etcdClient, settings.etcd(), new EtcdMetrics(registry));
        ResourceStore store = new ResourceStore(kv, settings.keys(), kinds, new ManifestParser(kinds));
        dockerClient = DockerClients.connect(settings.dockerHost());
        dockerEvents = DockerClients.connectForEvents(settings.dockerHost());
        Docker docker = new InstrumentedDocker(dockerClient, dockerEvents, settings.instance(), new DockerApiMetrics(registry));
        ObjectMetrics objectMetrics = new ObjectMetrics(registry, kinds.all(), Clock.systemUTC());

        stackQueue = new WorkQueue("stack", settings.retry(), RateLimit.defaults(), registry);
        stacks = new DesiredInformer(stackKind, kv, store, key -> {
            stackQueue.add(key.name());
            this.overlay.ifPresent(OverlayRuntime::stacksChanged);
            if (this.routes != null) {
                this.routes.stackChanged(key.name());
            }
        }, settings.retry(), registry);
        observed = new ObservedCache(docker, owner -> {
            if (owner.startsWith("stack/")) {
                stackQueue.addUnlessBackingOff(owner.substring("stack/".length()));
            }
            this.overlay.ifPresent(o -> o.observedChanged(owner));
        }, containers -> {
            if (this.routes != null) {
                this.routes.containersListed(containers);
            }
        }, settings.retry(), registry);
        HostInfo host = new HostInfo(settings.host(), settings.hostLabels());
        Optional<OverlayHost> underlay = settings.underlay().enabled()
                ? Optional.of(UnderlayProbe.probe(settings.host(), settings.underlay().netns(), settings.underlay().iface(),
                        settings.underlay().ip()))
                : Optional.empty();
        routes = new dev.berth.operator.route.RouteRuntime(kinds.byKind("Route").orElseThrow(), kv, settings.keys(), store,
                stacks, settings.host(), settings.instance(), settings.routes(),
                Optional.ofNullable(settings.routes().advertiseAddress())
                        .orElse(underlay.map(OverlayHost::underlayIp).orElse("127.0.0.1")),
                stackQueue::add, settings.retry(), registry);
        StackReconciler controller = new StackReconciler(host, settings.instance(), stacks, observed, new StackConverger(docker),
                new StatusWriter(kv, settings.keys(), settings.host(), objectMetrics), Clock.systemUTC(),
                new DriftMetrics(registry, List.of("stack")), new ExternalNetworks() {
                    @Override
                    public boolean declared(String network) {
                        return Operator.this.overlay.map(o -> o.externalNetworks().declared(network)).orElse(false);
                    }

                    @Override
                    public boolean readyHere(String network) {
                        return Operator.this.overlay.map(o -> o.externalNetworks().readyHere(network)).orElse(false);
                    }
                }, routes.serviceLabels());
        stackLoop = new ControllerLoop("stack", stackQueue, controller, settings.workers(), registry);
        String now = java.time.Instant.now().toString();
        registration = new HostRegistration(kv, settings.keys(), new HostRecord(settings.host(), settings.hostLabels(),
                settings.version(), now, underlay.map(OverlayHost::underlayIp).orElse(null),
                HostRecord.vtepMacFor(settings.host()), List.of(), now), settings.hostTtlSeconds());
        overlay = underlay.map(u -> new OverlayRuntime(kinds.byKind("Network").orElseThrow(), kv, settings.keys(), store,
                stacks, observed, registration, host, settings.instance(), u, settings.underlay().netns(), docker,
                new StatusWriter(kv, settings.keys(), settings.host(), objectMetrics), settings.retry(), 2, registry));

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
        gitops = new dev.berth.operator.gitops.GitOpsRuntime(kv, settings.keys(), settings.host(), settings.instance(),
                settings.hostTtlSeconds(), settings.retry(), registry, http);
        resyncTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "resync");
            t.setDaemon(true);
            return t;
        });
        resyncs = io.micrometer.core.instrument.Counter.builder("berth.resyncs")
                .description("Full re-lists of etcd and Docker by the resync timer").register(registry);
        Gauge.builder("berth.host.lease.alive", registration, r -> r.alive() ? 1 : 0)
                .description("1 while this host's record is kept alive in etcd").register(registry);
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
        http.start();
        stacks.start();
        observed.start();
        registration.start();
        overlay.ifPresent(OverlayRuntime::start);
        routes.start();
        stackLoop.start();
        gitops.start();
        long period = settings.resync().toMillis();
        resyncTimer.scheduleAtFixedRate(this::resync, period, period, TimeUnit.MILLISECONDS);
        log.info("operator started on host {} (labels {}, instance {}), metrics and health on port {}", settings.host(),
                settings.hostLabels(), settings.instance(), http.port());
    }

    /** Lists etcd and Docker again and looks at every stack: repairs whatever events missed. */
    private void resync() {
        stacks.resync();
        observed.resync();
        Set<String> names = new HashSet<>(stacks.names());
        observed.owners().stream().filter(o -> o.startsWith("stack/")).forEach(o -> names.add(o.substring(6)));
        names.forEach(stackQueue::addUnlessBackingOff);
        overlay.ifPresent(OverlayRuntime::resync);
        routes.resync();
        resyncs.increment();
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
        resyncTimer.shutdownNow();
        gitops.close();
        stackLoop.stop(Duration.ofSeconds(20));
        routes.close();
        overlay.ifPresent(OverlayRuntime::close);
        stacks.close();
        observed.close();
        registration.close();
        http.close();
        etcdClient.close();
        try {
            dockerClient.close();
            dockerEvents.close();
        } catch (IOException e) {
            log.debug("closing the Docker client failed: {}", e.getMessage());
        }
        log.info("operator stopped");
    }
}
