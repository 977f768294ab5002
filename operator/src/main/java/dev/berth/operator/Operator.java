package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.ControllerLoop;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StackController;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.http.HealthServer;
import dev.berth.operator.queue.RateLimit;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.queue.WorkQueue;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerGateway;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.StackReconciler;
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
                           long hostTtlSeconds, RetryPolicy retry, String version) {
    }

    private final Settings settings;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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

    public Operator(Settings settings) throws IOException {
        this.settings = settings;
        Kinds kinds = Kinds.standard();
        KindDef stackKind = kinds.byKind("Stack").orElseThrow();
        registerProcessMetrics(settings.version());

        etcdClient = EtcdConnector.connect(settings.etcd());
        EtcdKv kv = new EtcdKv(etcdClient, settings.etcd());
        ResourceStore store = new ResourceStore(kv, settings.keys(), kinds, new ManifestParser(kinds));
        dockerClient = DockerClients.connect(settings.dockerHost());
        dockerEvents = DockerClients.connectForEvents(settings.dockerHost());
        DockerGateway docker = new DockerGateway(dockerClient, dockerEvents, settings.instance());

        stackQueue = new WorkQueue("stack", settings.retry(), RateLimit.defaults(), registry);
        stacks = new DesiredInformer(stackKind, kv, store, key -> stackQueue.add(key.name()), settings.retry(), registry);
        observed = new ObservedCache(docker, owner -> {
            if (owner.startsWith("stack/")) {
                stackQueue.addUnlessBackingOff(owner.substring("stack/".length()));
            }
        }, settings.retry(), registry);
        HostInfo host = new HostInfo(settings.host(), settings.hostLabels());
        StackController controller = new StackController(host, settings.instance(), stacks, observed, new StackReconciler(docker),
                new StatusWriter(kv, settings.keys(), settings.host()), Clock.systemUTC());
        stackLoop = new ControllerLoop("stack", stackQueue, controller, settings.workers(), registry);
        registration = new HostRegistration(kv, settings.keys(),
                new HostRecord(settings.host(), settings.hostLabels(), settings.version(), java.time.Instant.now().toString()),
                settings.hostTtlSeconds());

        EtcdKv probe = new EtcdKv(etcdClient, new EtcdSettings(settings.etcd().endpoints(), null, null, null, null, null,
                Duration.ofSeconds(2)));
        http = new HealthServer(settings.listen(), registry, List.of(
                new HealthServer.Check("desired-cache", () -> stacks.synced() ? null : "not yet listed from etcd"),
                new HealthServer.Check("observed-cache", () -> observed.synced() ? null : "not yet listed from Docker"),
                new HealthServer.Check("etcd", () -> {
                    probe.get(settings.keys().base());
                    return null;
                }),
                new HealthServer.Check("docker", () -> {
                    dockerClient.pingCmd().exec();
                    return null;
                })));
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
        stackLoop.start();
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
        stackLoop.stop(Duration.ofSeconds(20));
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
