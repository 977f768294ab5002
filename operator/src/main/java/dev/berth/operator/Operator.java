package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.Informers;
import dev.berth.operator.cache.RawValues;
import dev.berth.operator.control.HostRecordCodec;
import dev.berth.operator.dns.DnsResponder;
import dev.berth.operator.dns.DnsSettings;
import dev.berth.operator.dns.NameDirectory;
import dev.berth.operator.dns.Upstreams;
import dev.berth.operator.events.EtcdEventRecorder;
import dev.berth.operator.overlay.EtcdEndpointDirectory;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.crds.KindDef;
import dev.berth.operator.kit.Controller;
import dev.berth.operator.kit.ControllerBuilder;
import dev.berth.operator.kit.Lifecycle;
import dev.berth.operator.kit.Topic;
import dev.berth.operator.route.RouteRuntime;
import dev.berth.operator.gitops.GitOpsRuntime;
import dev.berth.operator.secrets.FileCollector;
import dev.berth.operator.secrets.HostFiles;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.secrets.StackFiles;
import dev.berth.operator.secrets.StateDirLock;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StackReconciler;
import dev.berth.operator.images.DockerImagePuller;
import dev.berth.operator.images.ImageAcquisitions;
import dev.berth.operator.images.ImageBuilds;
import dev.berth.operator.images.RegistryCredentials;
import dev.berth.reconcilers.docker.DockerJavaImages;
import dev.berth.operator.images.ImagePinStore;
import dev.berth.operator.images.ImagePins;
import dev.berth.operator.images.ImageState;
import dev.berth.operator.images.StackImages;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.cache.Assignments;
import dev.berth.operator.schedule.HostBook;
import dev.berth.operator.schedule.SchedulerMetrics;
import dev.berth.operator.schedule.SchedulerReconciler;
import dev.berth.reconcilers.docker.HostCapacity;
import dev.berth.operator.http.HealthServer;
import dev.berth.operator.api.ApiAddress;
import dev.berth.operator.api.ApiCertificate;
import dev.berth.operator.api.ApiServer;
import dev.berth.operator.api.ApiSettings;
import dev.berth.operator.api.ApiToken;
import dev.berth.reconcilers.docker.DockerJavaStreams;
import dev.berth.operator.overlay.EtcdSubnetLeases;
import dev.berth.operator.overlay.OverlayProber;
import dev.berth.operator.overlay.OverlayRuntime;
import dev.berth.operator.overlay.Reachability;
import dev.berth.operator.overlay.ReachabilityView;
import dev.berth.operator.overlay.ProbeMetrics;
import dev.berth.operator.overlay.ProbeReportStore;
import dev.berth.operator.overlay.UnderlayProbe;
import dev.berth.reconcilers.overlay.OverlayHost;
import dev.berth.operator.metrics.DockerApiMetrics;
import dev.berth.operator.metrics.DriftMetrics;
import dev.berth.operator.metrics.EtcdMetrics;
import dev.berth.operator.metrics.ObjectMetrics;
import dev.berth.operator.metrics.ProcessMetrics;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdReconnect;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.GroupCommit;
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
import java.time.Instant;
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
    /** The scheduler's workers: its passes wait on etcd's commit, not on CPU. */
    private static final int SCHEDULER_WORKERS = 16;
    /**
     * How many new replicas Docker is asked to create and start at once, over all stacks: dockerd serialises much of
     * a start (network sandbox, iptables), so more than a few side by side only queue inside it.
     */
    private static final int CONTAINER_CREATES = 4;

    /** Everything the operator is told on its command line. */
    public record Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys,
                           String dockerHost, String instance, InetSocketAddress listen, Duration resync, int workers,
                           long hostTtlSeconds, RetryPolicy retry, String version, Underlay underlay,
                           dev.berth.operator.route.RouteRuntime.Settings routes, Duration failoverAfter,
                           DnsSettings dns, Duration probeInterval, Duration failoverAfterUnknown,
                           dev.berth.operator.secrets.SecretSettings secrets,
                           dev.berth.operator.images.ImageSettings images, ApiSettings api) {
        /** How long a host's record must be gone before the scheduler places its replicas elsewhere, unless told. */
        public static final Duration DEFAULT_FAILOVER_AFTER = Duration.ofSeconds(30);
        /** How often each peer of each overlay Network is probed, unless told. */
        public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
        /**
         * The same for an Unknown host (record gone, overlay still reaches it): Kubernetes' default eviction toleration
         * for a node whose kubelet stopped reporting.
         */
        public static final Duration DEFAULT_FAILOVER_AFTER_UNKNOWN = Duration.ofMinutes(5);

        /** Without the operator API. */
        public Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys, String dockerHost,
                        String instance, InetSocketAddress listen, Duration resync, int workers, long hostTtlSeconds,
                        RetryPolicy retry, String version, Underlay underlay,
                        dev.berth.operator.route.RouteRuntime.Settings routes, Duration failoverAfter, DnsSettings dns,
                        Duration probeInterval, Duration failoverAfterUnknown,
                        dev.berth.operator.secrets.SecretSettings secrets, dev.berth.operator.images.ImageSettings images) {
            this(host, hostLabels, etcd, keys, dockerHost, instance, listen, resync, workers, hostTtlSeconds, retry, version,
                    underlay, routes, failoverAfter, dns, probeInterval, failoverAfterUnknown, secrets, images,
                    ApiSettings.off());
        }

        /** With the default pull timeout and image collection. */
        public Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys, String dockerHost,
                        String instance, InetSocketAddress listen, Duration resync, int workers, long hostTtlSeconds,
                        RetryPolicy retry, String version, Underlay underlay,
                        dev.berth.operator.route.RouteRuntime.Settings routes, Duration failoverAfter, DnsSettings dns,
                        Duration probeInterval, Duration failoverAfterUnknown,
                        dev.berth.operator.secrets.SecretSettings secrets) {
            this(host, hostLabels, etcd, keys, dockerHost, instance, listen, resync, workers, hostTtlSeconds, retry, version,
                    underlay, routes, failoverAfter, dns, probeInterval, failoverAfterUnknown, secrets,
                    dev.berth.operator.images.ImageSettings.defaults());
        }

        /** With the default key, state and secrets directories. */
        public Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys, String dockerHost,
                        String instance, InetSocketAddress listen, Duration resync, int workers, long hostTtlSeconds,
                        RetryPolicy retry, String version, Underlay underlay,
                        dev.berth.operator.route.RouteRuntime.Settings routes, Duration failoverAfter, DnsSettings dns,
                        Duration probeInterval, Duration failoverAfterUnknown) {
            this(host, hostLabels, etcd, keys, dockerHost, instance, listen, resync, workers, hostTtlSeconds, retry, version,
                    underlay, routes, failoverAfter, dns, probeInterval, failoverAfterUnknown,
                    dev.berth.operator.secrets.SecretSettings.defaults());
        }

        /** Names answered on the Berth Networks (the default, {@code --dns}), peers probed every 5 s. */
        public Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys, String dockerHost,
                        String instance, InetSocketAddress listen, Duration resync, int workers, long hostTtlSeconds,
                        RetryPolicy retry, String version, Underlay underlay,
                        dev.berth.operator.route.RouteRuntime.Settings routes, Duration failoverAfter) {
            this(host, hostLabels, etcd, keys, dockerHost, instance, listen, resync, workers, hostTtlSeconds, retry, version,
                    underlay, routes, failoverAfter, DnsSettings.defaults(), DEFAULT_PROBE_INTERVAL,
                    DEFAULT_FAILOVER_AFTER_UNKNOWN);
        }

        /**
         * Whether this operator answers names on the Berth Networks: asked for, and running in the Docker host's own
         * network namespace (with {@code --netns} it cannot bind on the host's gateway addresses).
         */
        public boolean namesHere() {
            return dns.enabled() && underlay.netns().isEmpty();
        }

        public Settings(String host, Map<String, String> hostLabels, EtcdSettings etcd, KeyLayout keys, String dockerHost,
                        String instance, InetSocketAddress listen, Duration resync, int workers, long hostTtlSeconds,
                        RetryPolicy retry, String version, Underlay underlay,
                        dev.berth.operator.route.RouteRuntime.Settings routes) {
            this(host, hostLabels, etcd, keys, dockerHost, instance, listen, resync, workers, hostTtlSeconds, retry, version,
                    underlay, routes, DEFAULT_FAILOVER_AFTER);
        }

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
    private final Kinds kinds = Kinds.standard();
    private final Informers informers;
    /** Docker's events, as the owner key of each container or network that changed. */
    private final Topic<ObjectKey> owners = new Topic<>("observed");
    private final ObservedCache observed;
    private final RouteRuntime routes;
    /** The overlay Networks' parts; empty on a host without an underlay. */
    private final Optional<OverlayRuntime> overlay;
    /** The controllers this operator runs, as declared in the methods below. */
    private final List<Controller> controllers = new ArrayList<>();
    private final HealthServer http;
    private final ScheduledExecutorService resyncTimer;
    private final io.micrometer.core.instrument.Counter resyncs;
    /** The images Berth brought onto this host: the puller and the builds tell it (see {@link #imageAcquisitions()}). */
    private final dev.berth.operator.images.ImageLedger imageLedger;
    /** Events about objects, in etcd on a lease (berth events, berth describe). */
    private final EtcdEventRecorder events;

    public Operator(Settings settings) throws IOException {
        this.settings = settings;
        ApiServer.limitHttpServer();
        // Taken here, before anything binds a port or touches etcd: a second operator on this state directory stops
        // with the lock's message, not with a port in use.
        StateDirLock stateLock = new StateDirLock(settings.secrets().stateDir(), settings.instance());
        stateLock.acquire();
        lifecycle.add("state directory lock", () -> { }, stateLock::close);
        // Whatever fails from here on: release what was opened, the lock included, so another operator (a retry, the
        // next test in this JVM) can use this state directory.
        try {
            registerProcessMetrics(settings.version());

            Client etcdClient = EtcdConnector.connect(settings.etcd());
            lifecycle.closes("etcd client", etcdClient);
            // gRPC's own reconnect backoff grows to 120 s; this bounds the operator's return after an etcd outage.
            EtcdReconnect reconnect = new EtcdReconnect(etcdClient, EtcdReconnect.PERIOD, registry);
            lifecycle.add("etcd reconnect", reconnect::start, reconnect::close);
            var refusals = new dev.berth.operator.store.RefusalWarnings(new EtcdMetrics(registry), Clock.systemUTC());
            EtcdKv kv = new EtcdKv(etcdClient, settings.etcd(), refusals);
            // without the refusal voice: a refusal now is not retried but ends the start
            firstContact(new EtcdKv(etcdClient, settings.etcd()));
            // Started before anything records and closed after the controllers stopped: their last events are written.
            events = new EtcdEventRecorder(kv, settings.keys(), settings.host(), EtcdEventRecorder.Settings.defaults(),
                    registry, Clock.systemUTC());
            lifecycle.add("events", events::start, events::close);
            ResourceStore store = new ResourceStore(kv, settings.keys(), kinds, new ManifestParser(kinds));
            DockerClient dockerClient = DockerClients.connect(settings.dockerHost());
            lifecycle.closes("docker client", dockerClient);
            DockerClient dockerEvents = DockerClients.connectForEvents(settings.dockerHost());
            lifecycle.closes("docker event client", dockerEvents);
            DockerClient imageStreams = DockerClients.connectForEvents(settings.dockerHost());
            lifecycle.closes("docker image client", imageStreams);
            // Found images are remembered until Docker reports an image event (or the event stream ends).
            dev.berth.operator.images.RememberedImages images = new dev.berth.operator.images.RememberedImages(
                    new DockerJavaImages(dockerClient, imageStreams), Clock.systemUTC(),
                    dev.berth.operator.images.RememberedImages.MAX_AGE);
            DockerApiMetrics dockerMetrics = new DockerApiMetrics(registry);
            Docker docker = new InstrumentedDocker(dockerClient, dockerEvents,
                    timeout -> DockerClients.connect(settings.dockerHost(), timeout), settings.instance(),
                    (operation, outcome, nanos) -> {
                        dockerMetrics.call(operation, outcome, nanos);
                        if ("create_container".equals(operation) && "not_found".equals(outcome)) {
                            // An image said to be here is not (removed while the event stream was stalled, say).
                            images.forgetAll();
                        }
                    });
            imageLedger = imageCollection(dockerClient);
            ObjectMetrics objectMetrics = new ObjectMetrics(registry, kinds.all(), Clock.systemUTC());
            HostInfo host = new HostInfo(settings.host(), settings.hostLabels());
            Optional<OverlayHost> underlay = settings.underlay().enabled()
                    ? Optional.of(UnderlayProbe.probe(settings.host(), settings.underlay().netns(), settings.underlay().iface(),
                            settings.underlay().ip()))
                    : Optional.empty();
            String now = java.time.Instant.now().toString();
            Optional<HostCapacity> capacity = capacity(docker);
            Optional<ApiServer> api = operatorApi(kv, dockerClient);
            HostRecord.ApiEndpoint apiEndpoint = api.flatMap(server -> apiEndpoint(server,
                    underlay.map(OverlayHost::underlayIp))).orElse(null);
            HostRegistration registration = new HostRegistration(kv, settings.keys(), new HostRecord(settings.host(),
                    settings.hostLabels(), settings.version(), now, underlay.map(OverlayHost::underlayIp).orElse(null),
                    HostRecord.vtepMacFor(settings.host()), List.of(), now,
                    capacity.map(HostCapacity::cpuMillis).orElse(null), capacity.map(HostCapacity::memoryBytes).orElse(null),
                    apiEndpoint), settings.hostTtlSeconds());

            // The sources: one etcd watch per prefix, one Docker event stream, each with any number of handlers.
            informers = new Informers(kv, store, settings.retry(), registry);
            reconnect.whenBack(informers::relist);
            DesiredInformer stacks = informers.desired(kind("Stack"));
            EtcdInformer<HostRecord> hosts = informers.prefix("hosts", settings.keys().hostsPrefix(), HostRecord.class,
                    new HostRecordCodec(settings.keys()));
            ReachabilityView reachability = reachability(hosts);
            routes = new RouteRuntime(informers.desired(kind("Route")), hosts, stacks,
                    new RouteRuntime.Mirrors(backendsMirror(), informers.prefix("route-records",
                            RouteRuntime.recordsPrefix(settings.keys()), StoredValue.class,
                            new RawValues(RouteRuntime.recordsPrefix(settings.keys())))), kv, settings.keys(), settings.host(),
                    settings.instance(), settings.routes(), Optional.ofNullable(settings.routes().advertiseAddress())
                            .orElse(underlay.map(OverlayHost::underlayIp).orElse("127.0.0.1")), reachability, registry);
            observed = new ObservedCache(docker, owner -> ObjectKey.tryParse(owner).ifPresent(owners::publish),
                    routes::containersListed, settings.retry(), registry, settings.resync(), settings.dockerHost());

            EtcdInformer<StoredValue> members = members();
            Assignments assignments = new Assignments(informers.prefix("assignments", settings.keys().assignmentsPrefix(),
                    StoredValue.class, Assignments.codec(settings.keys())),
                    name -> hosts.get(name).isPresent() || members.get(name).isPresent());

            // The controllers.
            // A replica moving to another host stops getting requests here when the move begins.
            routes.leaving((stack, service, replica) -> assignments.leaving(settings.host(), stack, service, replica));
            assignments.addHandler(stack -> routes.backendsChanged());
            // The scheduler leader's writes (assignments, member records) share its leader guard: sent together.
            GroupCommit leaderWrites = new GroupCommit(kv);
            HostBook book = new HostBook(hosts, members, cordons(), leaderWrites, settings.keys(),
                    new HostBook.FailoverClock(settings.failoverAfter(), settings.failoverAfterUnknown()), reachability);
            controllers.add(schedulerController(stacks, hosts, book, assignments, kv, leaderWrites, reachability));
            overlay = underlay.map(u -> new OverlayRuntime(informers.desired(kind("Network")), hosts,
                    stacks, endpointsMirror(), observed, kv, settings.keys(), registration, host, settings.instance(), u,
                    settings.underlay().netns(), docker, new StatusWriter(kv, settings.keys(), settings.host(), objectMetrics::status),
                    reachability, registry));
            // One keyring for the operator: it reads the key file again only when the file changed.
            OperatorKeyring keyring = new OperatorKeyring(settings.secrets().keyFile());
            keyring.loadNow();
            StackImages stackImages = stackImages(kv, images, keyring);
            java.util.concurrent.ExecutorService creates = java.util.concurrent.Executors.newFixedThreadPool(
                    CONTAINER_CREATES, r -> {
                        Thread t = new Thread(r, "container-create");
                        t.setDaemon(true);
                        return t;
                    });
            lifecycle.add("container creates", () -> { }, creates::shutdown);
            StackReconciler stackReconciler = new StackReconciler(host, stacks, observed,
                    new StackConverger(docker, Clock.systemUTC(), creates), new StatusWriter(kv, settings.keys(), settings.host(), objectMetrics::status),
                    Clock.systemUTC(), new DriftMetrics(registry, List.of("stack")),
                    ExternalNetworks.orDocker(overlay.map(OverlayRuntime::externalNetworks).orElse(ExternalNetworks.none()),
                            docker::findNetwork), routes.serviceLabels(),
                    assignments, namesHere(overlay.isPresent()), Upstreams.reachableFromContainers(upstreams()),
                    stackFiles(keyring), stackImages, events.source("stack"));
            io.micrometer.core.instrument.FunctionCounter.builder("berth.stack.passes.unchanged", stackReconciler,
                    StackReconciler::unchangedPasses).description("Stack passes that found every input (revision, what"
                    + " this host runs of it, what Docker has) as at the stack's last settled pass: nothing planned")
                    .register(registry);
            controllers.add(stackController(stacks, stackReconciler, assignments, stackImages, kv));
            observed.addContainerListListener(new dev.berth.operator.control.HealthEvents(events.source("health"))::listed);
            overlay.ifPresent(o -> controllers.add(networkController(o, stacks, hosts, reachability)));
            Optional<OverlayProber> prober = underlay.map(u -> overlayProber(u, registration, hosts, kv));
            controllers.add(routeController(stacks, hosts, reachability));
            Optional<DnsResponder> names = overlay.flatMap(o -> nameResponder(o, hosts, stacks, reachability));
            GitOpsRuntime gitops = new GitOpsRuntime(informers.desired(kind("GitSource")), informers.desired(kind("Secret")),
                    gitopsTriggers(), kinds, kv, settings.keys(), settings.host(), settings.instance(),
                    settings.hostTtlSeconds(), settings.secrets(), keyring, registry);
            Controller gitopsController = gitopsController(gitops);
            controllers.add(gitopsController);

            EtcdKv probe = new EtcdKv(etcdClient, settings.etcd().withTimeout(Duration.ofSeconds(2)), refusals.uncounted());
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
            gitops.serveWebhooks(http, gitopsController);

            resyncTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "resync");
                t.setDaemon(true);
                return t;
            });
            resyncs = io.micrometer.core.instrument.Counter.builder("berth.resyncs")
                    .description("Full re-lists of etcd and Docker by the resync timer").register(registry);
            Gauge.builder("berth.host.lease.alive", registration, r -> r.alive() ? 1 : 0)
                    .description("1 while this host's record is kept alive in etcd").register(registry);

            lifecycle.add("http", http::start, http::close);
            lifecycle
                    .add("informers", informers::start, informers::close)
                    .add("observed", observed::start, observed::close)
                    .add("host registration", registration::start, registration::close)
                    .add("backend publisher", () -> { }, routes::close)
                    .add("endpoint publisher", () -> { }, () -> overlay.ifPresent(OverlayRuntime::closeEndpoints))
                    .add("kernel links", () -> { }, () -> overlay.ifPresent(OverlayRuntime::closeLinks));
            for (Controller controller : controllers) {
                lifecycle.add("controller " + controller.name(), controller::start, () -> controller.stop(Duration.ofSeconds(20)));
            }
            // After the network controller, so the first kernel events find it running; stopped before it.
            overlay.ifPresent(o -> lifecycle.add("kernel watch", o.kernelWatch()::start, o.kernelWatch()::close));
            prober.ifPresent(p -> lifecycle.add("overlay prober", p::start, p::close));
            names.ifPresent(dns -> lifecycle.add("dns responder", dns::start, dns::close));
            long period = settings.resync().toMillis();
            lifecycle.add("resync timer",
                    () -> resyncTimer.scheduleAtFixedRate(this::resync, period, period, TimeUnit.MILLISECONDS),
                    resyncTimer::shutdownNow);
        } catch (IOException | RuntimeException | Error e) {
            try {
                lifecycle.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * The first etcd call, before anything else uses etcd. etcd refusing this operator (wrong password, no rights on
     * the prefix, a certificate either side does not accept) is a configuration error: the operator stops with its
     * line, as the CLI does. etcd not answering is an outage: the operator starts and keeps trying, as it does after
     * start.
     */
    private void firstContact(EtcdKv kv) {
        try {
            kv.connect(settings.keys().base());
        } catch (dev.berth.operator.store.EtcdRefusedException e) {
            throw e;
        } catch (dev.berth.operator.store.StoreException e) {
            log.warn("etcd: not reachable at start ({}); starting anyway and retrying", e.getMessage());
        }
    }

    /**
     * The operator API ({@code berth logs}, {@code berth exec}) when it is on: bound now, so the host record can
     * publish the port it got; the token read (or written first) now, so a CLI call right after start finds it.
     * Streams go through a Docker client without a response timeout (a followed log is quiet for as long as it likes).
     */
    private Optional<ApiServer> operatorApi(EtcdKv kv, DockerClient dockerClient) throws IOException {
        if (!settings.api().enabled()) {
            return Optional.empty();
        }
        ApiToken token = new ApiToken(kv, settings.keys());
        try {
            token.load();
        } catch (dev.berth.operator.store.StoreException e) {
            log.warn("api: cannot read the API token from etcd yet ({}); read again within 30 s", e.getMessage());
        }
        DockerClient streams = DockerClients.connectForEvents(settings.dockerHost());
        lifecycle.closes("docker stream client", streams);
        ApiServer server;
        try {
            server = new ApiServer(settings.api().listen(), ApiCertificate.generate(settings.host()), token,
                    new DockerJavaStreams(dockerClient, streams, settings.instance()), settings.host());
        } catch (java.net.BindException e) {
            // The operator's job does not depend on its API: run without it (the host record says so).
            log.warn("host/{}: operator API cannot listen on {} ({}): running without it; berth logs/exec cannot reach"
                    + " this host (choose another --api-listen, or --api-off)", settings.host(),
                    settings.api().listen(), e.getMessage());
            return Optional.empty();
        }
        // Registered as soon as it exists, so a failure further on closes it. Started before the host record that
        // publishes its address: a CLI that reads the record finds it answering.
        lifecycle.add("operator api", server::start, server::close);
        log.info("host/{}: operator API on port {}, certificate sha256 {}", settings.host(), server.port(),
                server.certificateSha256());
        return Optional.of(server);
    }

    /** What the host record publishes about the API; nothing when no other host could reach it. */
    private Optional<HostRecord.ApiEndpoint> apiEndpoint(ApiServer server, Optional<String> underlayIp) {
        Optional<String> address = ApiAddress.advertise(settings.api(), server.port(), underlayIp);
        if (address.isEmpty()) {
            log.warn("host/{}: operator API listens on {} and has no address to publish: berth logs/exec cannot reach"
                    + " this host: set --api-advertise", settings.host(), settings.api().listen());
        }
        return address.map(a -> new HostRecord.ApiEndpoint(a, server.certificateSha256()));
    }

    /**
     * Where replicas run: the leader of the {@code scheduler} election plans each stack (stacks that reserve capacity
     * one at a time, so two never take the same), and keeps the book of hosts that come and go.
     */
    private Controller schedulerController(DesiredInformer stacks, EtcdInformer<HostRecord> hosts, HostBook book,
                                           Assignments assignments, EtcdKv kv, GroupCommit leaderWrites,
                                           ReachabilityView reachability) {
        KeyLayout keys = settings.keys();
        LeaderElection election = new LeaderElection(kv, keys.base() + "elections/scheduler", settings.host(), 10, registry);
        SchedulerMetrics metrics = new SchedulerMetrics(registry);
        election.addListener(leading -> {
            if (!leading) {
                metrics.clear();
            }
        });
        EtcdInformer<StoredValue> rebalances = informers.prefix("rebalance", keys.rebalancePrefix(), StoredValue.class,
                new RawValues(keys.rebalancePrefix()));
        SchedulerReconciler scheduler = new SchedulerReconciler(stacks, assignments, book, rebalances, kv, leaderWrites, keys,
                Clock.systemUTC(), election::leaderGuard, metrics, events.source("scheduler"));
        return ControllerBuilder.named("scheduler")
                .forObjects(stacks)
                // An assignment changed by someone else (by hand, an old leader): look again.
                .watches(assignments, scheduler::assignmentChanged)
                // A host came or went: record it, and plan every stack again against the new set of hosts.
                .watches(hosts, host -> withHost(host, scheduler.stackKeys()))
                .watches(members(), host -> withHost(host, scheduler.stackKeys()))
                .watches(cordons(), host -> scheduler.stackKeys())
                // Probes of a host without a record began or stopped failing: it turned Unknown or not reached.
                .watches(reachability.probes(), reachability.onChange(scheduler::stackKeys))
                .watches(rebalances, List::of)
                .allKeys(scheduler::allKeys)
                .reconciler(scheduler)
                // Each stack is one guarded commit, and a pass waits mostly on it (etcd's commit, ~10 ms): many in
                // flight, sent together as one transaction (GroupCommit); reserving stacks still plan one at a time.
                .workers(SCHEDULER_WORKERS)
                .leaderOnly(election)
                .build(settings.retry(), registry);
    }

    /**
     * Which hosts without a record the overlay still reaches (Unknown), from every host's probe reports; kept for
     * {@link Reachability#GRACE} after their probes begin to fail.
     */
    private ReachabilityView reachability(EtcdInformer<HostRecord> hosts) {
        // The same informer as the prober's (raw values): one watch of the prefix.
        EtcdInformer<StoredValue> probes = informers.prefix("probes", settings.keys().probesPrefix(), StoredValue.class,
                new RawValues(settings.keys().probesPrefix()));
        return new ReachabilityView(hosts, probes, Clock.systemUTC(), Reachability.GRACE);
    }

    /** Every host the cluster has seen (the scheduler leader's book, no lease). */
    private EtcdInformer<StoredValue> members() {
        return informers.prefix("members", settings.keys().membersPrefix(), StoredValue.class,
                new RawValues(settings.keys().membersPrefix()));
    }

    private EtcdInformer<StoredValue> cordons() {
        return informers.prefix("cordons", settings.keys().cordonsPrefix(), StoredValue.class,
                new RawValues(settings.keys().cordonsPrefix()));
    }

    private static Collection<String> withHost(String host, Collection<String> stacks) {
        List<String> keys = new ArrayList<>(stacks.size() + 1);
        keys.add(SchedulerReconciler.HOST_KEY + host);
        keys.addAll(stacks);
        return keys;
    }

    /**
     * Image collection: the ledger of the images Berth brings onto this host and the collector that removes them
     * once unused, when the disk of Docker's data fills (after the Docker client in the lifecycle: stopped before it).
     */
    private dev.berth.operator.images.ImageLedger imageCollection(DockerClient dockerClient) {
        var ledger = dev.berth.operator.images.ImageLedger.inStateDir(settings.secrets().stateDir());
        var collector = new dev.berth.operator.images.ImageCollector(
                new dev.berth.reconcilers.docker.DockerJavaImages(dockerClient),
                new dev.berth.reconcilers.docker.HostImageUse(dockerClient), ledger, settings.images(),
                settings.instance(), Clock.systemUTC(), registry);
        lifecycle.add("image collector", collector::start, collector::close);
        return ledger;
    }

    /** The Docker host's CPUs and memory for the scheduler; unknown (no reservation checks here) when Docker does not say. */
    private static Optional<HostCapacity> capacity(Docker docker) {
        try {
            HostCapacity capacity = docker.capacity();
            return capacity.cpuMillis() > 0 && capacity.memoryBytes() > 0 ? Optional.of(capacity) : Optional.empty();
        } catch (RuntimeException e) {
            log.warn("cannot read this Docker host's CPUs and memory (docker info): {}; reservations are not checked here",
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether containers on Berth Networks are pointed at this operator's DNS; says once why not when asked for. */
    private boolean namesHere(boolean overlays) {
        if (overlays && settings.dns().enabled() && !settings.namesHere()) {
            log.info("names on Berth Networks are not answered on host {}: the operator runs outside the host's network"
                    + " namespace (--netns {}); containers keep Docker's DNS and service aliases", settings.host(),
                    settings.underlay().netns().orElse(""));
        }
        return overlays && settings.namesHere();
    }

    /**
     * The Secret and Config files of this host's stacks, under the state directory; the files no container uses any
     * more are removed after each list of containers.
     */
    private StackFiles stackFiles(OperatorKeyring keyring) {
        HostFiles files = new HostFiles(settings.secrets().stateDir(), Clock.systemUTC(),
                settings.secrets().filesGrace());
        FileCollector collector = new FileCollector(files, Clock.systemUTC(), observed::resync);
        observed.addContainerListListener(collector::listed);
        lifecycle.add("secret files collector", () -> { }, collector::close);
        return new StackFiles(informers.desired(kind("Secret")), informers.desired(kind("Config")), keyring, files);
    }

    /**
     * The images of this host's stacks: pins read from a watch of the pin keys, pulls through a Docker client without
     * a response timeout (a pull is bounded by the pull timeout instead), credentials from Registry Secrets.
     */
    private StackImages stackImages(EtcdKv kv, dev.berth.operator.images.RememberedImages images,
                                    OperatorKeyring keyring) {
        ImagePinStore pinStore = new ImagePinStore(kv, settings.keys());
        ImagePins pins = new ImagePins(informers.prefix("image-pins", settings.keys().imagePinsPrefix(),
                StoredValue.class, ImagePins.codec(settings.keys())), pinStore);
        observed.addImageChangeListener(images::forgetAll);
        DesiredInformer secrets = informers.desired(kind("Secret"));
        RegistryCredentials credentials = new RegistryCredentials(secrets, keyring);
        DockerImagePuller puller = new DockerImagePuller(images, credentials, settings.images(), imageLedger, registry,
                Clock.systemUTC());
        lifecycle.add("image puller", () -> { }, puller::close);
        DesiredInformer gitSources = informers.desired(kind("GitSource"));
        java.nio.file.Path state = settings.secrets().stateDir();
        dev.berth.operator.images.DockerImageBuilds builds = new dev.berth.operator.images.DockerImageBuilds(images, kv,
                settings.keys(), new dev.berth.operator.gitops.GitBuildContexts(
                        dev.berth.operator.images.DockerImageBuilds.gitCacheDir(state), settings.secrets().secretsDir(),
                        secrets::get, secrets::synced, keyring, name -> gitSources.get(name)
                                .flatMap(StoredObject::resource).map(r -> r.spec(dev.berth.crds.gitops.GitSourceSpec.class))),
                credentials::forRegistry, settings.images(), imageLedger, settings.host(), settings.instance(), state,
                Clock.systemUTC());
        lifecycle.add("image builds", () -> { }, builds::close);
        return new StackImages(puller, builds, pins, pinStore, settings.host(), Clock.systemUTC(), events.source("images"));
    }

    /** Stacks on this host: as many workers as the operator is told. */
    private Controller stackController(DesiredInformer stacks, StackReconciler reconciler, Assignments assignments,
                                       StackImages images, EtcdKv kv) {
        dev.berth.operator.control.LeftoverStatusRows leftoverRows = new dev.berth.operator.control.LeftoverStatusRows(
                kv, settings.keys(), "stack", settings.host());
        return ControllerBuilder.named("stack")
                .forObjects(stacks)
                .owns(owners, ObjectKey.STACK)
                // The scheduler moved replicas of a stack to or from this host.
                .watches(assignments, List::of)
                // An assignment is followed only once every host it names is known (see Assignments).
                .watches(informers.prefix("hosts", settings.keys().hostsPrefix(), HostRecord.class,
                        new HostRecordCodec(settings.keys())), assignments::stacksNaming)
                // Labels-mode Routes changed the Traefik labels a stack's containers must carry.
                .watchesNow(routes.labelChanges(), List::of)
                // A Secret or Config a stack uses was created, changed or deleted.
                .watches(informers.desired(kind("Secret")), name -> StackFiles.stacksUsing(stacks, "secret", name))
                .watches(informers.desired(kind("Config")), name -> StackFiles.stacksUsing(stacks, "config", name))
                // A pull or build ended, or another host pinned an image.
                .watchesNow(images.changes(), List::of)
                .allKeys(() -> {
                    Collection<String> keys = stackKeys(stacks);
                    keys.addAll(leftoverRows.namesOnce());
                    return keys;
                })
                .reconciler(reconciler)
                .workers(settings.workers())
                .build(settings.retry(), registry);
    }

    /** Overlay Networks on this host (only when it has an underlay). */
    private Controller networkController(OverlayRuntime overlay, DesiredInformer stacks, EtcdInformer<HostRecord> hosts,
                                         ReachabilityView reachability) {
        EtcdInformer<StoredValue> endpoints = endpointsMirror();
        // Registered before the controller's own handlers, so the full pass is asked for before the key is queued.
        owners.addHandler(owner -> owner.nameIf(ObjectKey.NETWORK).ifPresent(overlay::recheck));
        return ControllerBuilder.named("network")
                .forObjects(informers.desired(kind("Network")))
                .owns(owners, ObjectKey.NETWORK)
                // A container came or went: a Network waiting for its last container to go (tear-down) looks again.
                .watches(owners, owner -> owner.kind().equals(ObjectKey.NETWORK) ? List.of() : overlay.allKeys())
                // Which Networks this host needs follows the stacks; the peers follow host records and endpoint lists
                // (EndpointPublisher writes this host's, from the observed cache).
                .watches(stacks, stack -> overlay.allKeys())
                .watches(hosts, host -> overlay.allKeys())
                .watches(endpoints, list -> overlay.allKeys())
                // The kernel changed a Network's device or entries (a person, a reboot of a link): a full pass repairs it.
                .watches(overlay.kernelChanges(), List::of)
                // A host without a record turned Unknown or stopped answering: its entries are kept or go.
                .watches(reachability.probes(), reachability.onChange(overlay::allKeys))
                .allKeys(overlay::allKeys)
                .onResync(overlay::recheckAll)
                .reconciler(overlay.reconciler())
                .workers(2)
                .build(settings.retry(), registry);
    }

    /** Probes of every overlay peer through the overlay, on threads of its own (only when this host has an underlay). */
    private OverlayProber overlayProber(OverlayHost underlay, HostRegistration registration, EtcdInformer<HostRecord> hosts,
                                        EtcdKv kv) {
        KeyLayout keys = settings.keys();
        return new OverlayProber(settings.host(), registration::record, hosts, informers.desired(kind("Network")),
                informers.prefix("probes", keys.probesPrefix(), StoredValue.class, new RawValues(keys.probesPrefix())),
                new EtcdSubnetLeases(kv, keys), new ProbeReportStore(kv, keys), underlay, settings.underlay().netns(),
                new ProbeMetrics(registry), settings.probeInterval(), Clock.systemUTC());
    }

    /**
     * Names across hosts: a DNS responder on this host's gateway of each Network it takes part in, answering from every
     * host's endpoint lists. Only with the operator in the Docker host's own namespace (no --netns), where the
     * gateways are.
     */
    private Optional<DnsResponder> nameResponder(OverlayRuntime overlay, EtcdInformer<HostRecord> hosts,
                                                 DesiredInformer stacks, ReachabilityView reachability) {
        if (!settings.namesHere()) {
            return Optional.empty();
        }
        DnsSettings dns = settings.dns();
        NameDirectory directory = new NameDirectory(endpointsMirror(), () -> {
                    Set<String> counted = new HashSet<>(hosts.names());
                    counted.addAll(reachability.now().unknownHosts());
                    return counted;
                }, overlay::rangesHere, () -> declaredServices(stacks));
        stacks.addHandler(stack -> directory.changed());
        hosts.addHandler(host -> directory.changed());
        reachability.probes().addHandler(report -> directory.changed());
        return Optional.of(new DnsResponder(() -> {
            Map<String, InetSocketAddress> listen = new java.util.TreeMap<>();
            overlay.gatewaysHere().forEach((network, ip) -> listen.put(network, new InetSocketAddress(ip, 53)));
            return listen;
        }, directory::table, upstreams(), dns.forwardTimeout(), DnsResponder.Limits.defaults(), registry));
    }

    /** Every service (and alias) the valid Stacks in etcd declare, as "service.stack": the names that are Berth's, running or not. */
    private static Set<String> declaredServices(DesiredInformer stacks) {
        Set<String> declared = new HashSet<>();
        for (String name : stacks.names()) {
            stacks.get(name).filter(StoredObject::valid).flatMap(StoredObject::resource)
                    .map(r -> r.spec(dev.berth.crds.stack.StackSpec.class))
                    .ifPresent(spec -> spec.services().forEach(s -> {
                        declared.add(s.name() + "." + name);
                        s.aliases().forEach(a -> declared.add(a + "." + name));
                    }));
        }
        return declared;
    }

    /** Where names that are not Berth's go: {@code --dns-upstream}, else this host's /etc/resolv.conf. */
    private List<InetSocketAddress> upstreams() {
        return settings.dns().upstreams().isEmpty() ? Upstreams.ofThisHost() : settings.dns().upstreams();
    }

    /** Every host's endpoint lists (one informer, shared by the publisher, the Network controller and names). */
    private EtcdInformer<StoredValue> endpointsMirror() {
        String prefix = EtcdEndpointDirectory.prefix(settings.keys());
        return informers.prefix("endpoints", prefix, StoredValue.class, new RawValues(prefix));
    }

    /** Every host's backend lists (one informer, shared by the publisher and the route controller). */
    private EtcdInformer<StoredValue> backendsMirror() {
        String prefix = RouteRuntime.backendsPrefix(settings.keys());
        return informers.prefix("backends", prefix, StoredValue.class, new RawValues(prefix));
    }

    /** Traefik's keys and the Routes' status, on the leader of the {@code routes} election. */
    private Controller routeController(DesiredInformer stacks, EtcdInformer<HostRecord> hosts,
                                       ReachabilityView reachability) {
        EtcdInformer<StoredValue> backends = backendsMirror();
        return ControllerBuilder.named("route")
                .forObjects(informers.desired(kind("Route")))
                .watches(backends, routes::routesForBackends)
                // A host that comes or goes takes its backends along.
                .watches(hosts, host -> routes.allKeys())
                // An Unknown host's servers stay until the overlay no longer reaches it.
                .watches(reachability.probes(), reachability.onChange(routes::allKeys))
                .watches(stacks, routes::routesTo)
                .allKeys(routes::allKeys)
                .reconciler(routes.reconciler())
                .workers(1)
                .leaderOnly(routes.election())
                .build(settings.retry(), registry);
    }

    /** GitOps syncs, on the leader of the {@code gitops} election. */
    private Controller gitopsController(GitOpsRuntime gitops) {
        DesiredInformer sources = informers.desired(kind("GitSource"));
        ControllerBuilder declaration = ControllerBuilder.named("gitops")
                .forObjects(sources)
                .watchesNow(gitopsTriggers(), List::of)
                .allKeys(sources::names)
                .reconciler(gitops.reconciler())
                .workers(2)
                .leaderOnly(gitops.election());
        for (KindDef kind : kinds.all()) {
            if (!kind.equals(sources.kind())) {
                // A synced object changed in etcd (maybe by hand): look again from the cached commit (self-heal).
                declaration.watches(informers.desired(kind), name -> sources.names());
            }
        }
        return declaration.build(settings.retry(), registry);
    }

    private EtcdInformer<StoredValue> gitopsTriggers() {
        String prefix = GitOpsRuntime.triggersPrefix(settings.keys());
        return informers.prefix("gitops-triggers", prefix, StoredValue.class, new RawValues(prefix));
    }

    /** Stacks in etcd, and stacks that only have containers here (deleted, or no longer placed here). */
    private Collection<String> stackKeys(DesiredInformer stacks) {
        Set<String> names = new HashSet<>(stacks.names());
        observed.owners().stream().map(ObjectKey::tryParse).flatMap(Optional::stream)
                .map(k -> k.nameIf(ObjectKey.STACK)).flatMap(Optional::stream).forEach(names::add);
        return names;
    }

    private KindDef kind(String name) {
        return kinds.byKind(name).orElseThrow();
    }

    private void registerProcessMetrics(String version) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        // CPU at rest in the first minutes is mostly the JIT compiling (BENCHMARKS.md, "Issue 21, round 4"). Not
        // Micrometer's JvmCompilationMetrics: its jvm_compilation_time_ms_total fails promtool's naming check.
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
            io.micrometer.core.instrument.FunctionCounter.builder("jvm.compilation.time", jit,
                            j -> j.getTotalCompilationTime() / 1000.0).baseUnit("seconds")
                    .description("Time the JIT compilers spent compiling").register(registry);
        }
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        ProcessMetrics.ofThisProcess().bindTo(registry);
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
        overlay.ifPresent(OverlayRuntime::resyncEndpoints);
        resyncs.increment();
    }

    /** The etcd prefixes this operator mirrors: one informer, and one watch, each. */
    public List<String> watchedPrefixes() {
        return informers.prefixes();
    }

    public int httpPort() {
        return http.port();
    }

    /** Told of every image Berth pulls or builds onto this host: only those may the image collector remove. */
    public dev.berth.operator.images.ImageAcquisitions imageAcquisitions() {
        return imageLedger;
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
