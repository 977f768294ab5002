package dev.berth.operator;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.route.RouteRuntime;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StatusCodec;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one way tests run a real operator: in this JVM, against the real dockerd and etcd, on an etcd prefix and a
 * managed-by instance of its own, so it only ever sees (and deletes) what its test created. Built not started
 * ({@link #builder()}), so a test can use its prefix and instance before (or without) an operator. close() stops
 * the operator and removes exactly the containers and networks labelled with its instance, its etcd prefix, and
 * the Traefik root it was given.
 *
 * <p>Several operators (hosts) share one etcd prefix by building with {@link Builder#etcd(EtcdFixture)}; several
 * share one instance, and so the same containers, through {@link #peer(String)}.
 *
 * <p>As a JUnit extension ({@code @RegisterExtension final TestOperator h = TestOperator.create();}) it is
 * started before each test and closed after it.
 */
public final class TestOperator implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    /** Short backoff, so a test sees retries within seconds. */
    public static final RetryPolicy FAST_RETRY = new RetryPolicy(Duration.ofMillis(200), 2.0, 0.2, Duration.ofSeconds(3));
    private static final Duration READY_WAIT = Duration.ofSeconds(60);
    private static final Duration LONG_WAIT = Duration.ofSeconds(90);

    public final String instance;
    public final String host;
    public final EtcdFixture etcd;
    public final DockerClient docker;
    public final String etcdEndpoints;
    public final String dockerHost;
    private final Builder settings;
    private final boolean ownsEtcd;
    private final boolean ownsInstance;
    private final List<TestOperator> peers = new ArrayList<>();
    private Operator operator;

    /** The settings tests vary; everything else is what every test operator runs with. */
    public static final class Builder {
        private String etcdEndpoints = TestEnv.etcdEndpoints();
        private EtcdFixture sharedEtcd;
        private String dockerHost = TestEnv.dockerHost();
        private String instance;
        private String host;
        private Map<String, String> hostLabels = Map.of();
        private Duration resync = Duration.ofSeconds(2);
        private int workers = 4;
        private Duration etcdTimeout = Duration.ofSeconds(5);
        private Operator.Underlay underlay = Operator.Underlay.none();
        private RouteRuntime.Settings routes = RouteRuntime.Settings.defaults();
        private boolean ownTraefikRoot;
        private Duration failoverAfter = Operator.Settings.DEFAULT_FAILOVER_AFTER;
        private boolean dns = true;
        private Duration failoverAfterUnknown = Operator.Settings.DEFAULT_FAILOVER_AFTER_UNKNOWN;
        private Duration probeInterval = Operator.Settings.DEFAULT_PROBE_INTERVAL;
        private Path secretKeyFile;
        private Path secretsDir = Path.of(System.getProperty("java.io.tmpdir"));
        private Duration filesGrace = dev.berth.operator.secrets.HostFiles.GRACE;
        /** This host's state directory instead of the default one of its own (peers keep their defaults). */
        private Path stateDir;
        /**
         * The operator's defaults but no image collection: the tests share one dockerd, and a fuller disk there must
         * not let one test's operator remove images another test pulled (collection tests turn it on).
         */
        private dev.berth.operator.images.ImageSettings images = noCollection();
        /** Off unless asked for: many operators of one test run share this machine's addresses. */
        private boolean api;
        private InetSocketAddress apiListen = new InetSocketAddress("127.0.0.1", 0);

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.etcdEndpoints = etcdEndpoints;
            b.sharedEtcd = sharedEtcd;
            b.dockerHost = dockerHost;
            b.instance = instance;
            b.host = host;
            b.hostLabels = hostLabels;
            b.resync = resync;
            b.workers = workers;
            b.etcdTimeout = etcdTimeout;
            b.underlay = underlay;
            b.routes = routes;
            b.ownTraefikRoot = ownTraefikRoot;
            b.failoverAfter = failoverAfter;
            b.dns = dns;
            b.failoverAfterUnknown = failoverAfterUnknown;
            b.probeInterval = probeInterval;
            b.secretKeyFile = secretKeyFile;
            b.secretsDir = secretsDir;
            b.filesGrace = filesGrace;
            b.stateDir = stateDir;
            b.images = images;
            b.api = api;
            b.apiListen = apiListen;
            return b;
        }

        /** An etcd of its own (e.g. a PrivateEtcd), on a fresh prefix this operator deletes on close. */
        public Builder etcdEndpoints(String value) {
            this.etcdEndpoints = value;
            return this;
        }

        /** A prefix shared with other operators (hosts); its owner closes it, not this operator. */
        public Builder etcd(EtcdFixture shared) {
            this.sharedEtcd = shared;
            return this;
        }

        public Builder dockerHost(String value) {
            this.dockerHost = value;
            return this;
        }

        /** Default: {@code host-<instance>}. */
        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder hostLabels(Map<String, String> value) {
            this.hostLabels = value;
            return this;
        }

        public Builder resync(Duration value) {
            this.resync = value;
            return this;
        }

        /** How long a host's record must be gone before its replicas are placed elsewhere. */
        public Builder failoverAfter(Duration value) {
            this.failoverAfter = value;
            return this;
        }

        /** {@code --dns}: names answered on the Berth Networks (only takes effect without a netns in the underlay). */
        public Builder dns(boolean value) {
            this.dns = value;
            return this;
        }

        /** The same for a host whose record is gone but that the overlay still reaches (Unknown). */
        public Builder failoverAfterUnknown(Duration value) {
            this.failoverAfterUnknown = value;
            return this;
        }

        /** How often the overlay prober probes each peer. */
        public Builder probeInterval(Duration value) {
            this.probeInterval = value;
            return this;
        }

        /** The cluster key file Secrets decrypt with (none by default: Secrets cannot be used). */
        public Builder secretKeyFile(Path value) {
            this.secretKeyFile = value;
            return this;
        }

        /** The state directory of this operator's host (default: one of its own, see {@link #stateDir(String)}). */
        public Builder stateDir(Path value) {
            this.stateDir = value;
            return this;
        }

        private static dev.berth.operator.images.ImageSettings noCollection() {
            var d = dev.berth.operator.images.ImageSettings.defaults();
            return new dev.berth.operator.images.ImageSettings(d.pullTimeout(), d.buildTimeout(), 100, d.gcLowPercent(),
                    d.gcMinAge(), d.gcInterval(), d.pullBackoff());
        }

        /** The operator API on 127.0.0.1 and a free port (published in the host record), for logs and exec. */
        public Builder api() {
            this.api = true;
            return this;
        }

        /** The operator API on this address (a port the test holds, say). */
        public Builder api(InetSocketAddress listen) {
            this.api = true;
            this.apiListen = listen;
            return this;
        }

        /**
         * Retries of failed pulls spaced so (default {@code DockerImagePuller.BACKOFF}; in-process operators only).
         * {@link #images} afterwards replaces it.
         */
        public Builder pullBackoff(dev.berth.operator.queue.RetryPolicy value) {
            this.images = images.withPullBackoff(value);
            return this;
        }

        public Builder images(dev.berth.operator.images.ImageSettings value) {
            this.images = value;
            return this;
        }

        /** The only directory GitSources may name files in (default: the JVM's temporary directory). */
        public Builder secretsDir(Path value) {
            this.secretsDir = value;
            return this;
        }

        /** How long Secret and Config files no container mounts are kept (in-process operators only). */
        public Builder filesGrace(Duration value) {
            this.filesGrace = value;
            return this;
        }

        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** The timeout of each etcd call. */
        public Builder etcdTimeout(Duration value) {
            this.etcdTimeout = value;
            return this;
        }

        /** Takes part in overlays through this underlay. */
        public Builder underlay(Operator.Underlay value) {
            this.underlay = value;
            return this;
        }

        /** Traefik's root key and the advertised address; the root's keys are deleted with an owned etcd prefix. */
        public Builder routes(String traefikRoot, String advertiseAddress) {
            this.routes = new RouteRuntime.Settings(traefikRoot, advertiseAddress);
            this.ownTraefikRoot = true;
            return this;
        }

        /** Routes written under {@code traefik-<instance>}, published ports advertised on 127.0.0.1. */
        public Builder ownTraefikRoot() {
            this.ownTraefikRoot = true;
            return this;
        }

        public TestOperator build() {
            return new TestOperator(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A test operator with the default settings, not started. */
    public static TestOperator create() {
        return builder().build();
    }

    private TestOperator(Builder b) {
        this.ownsInstance = b.instance == null;
        this.instance = ownsInstance ? TestEnv.uniqueName("bo") : b.instance;
        this.host = b.host == null ? "host-" + instance : b.host;
        this.ownsEtcd = b.sharedEtcd == null;
        this.etcdEndpoints = ownsEtcd ? b.etcdEndpoints : String.join(",", b.sharedEtcd.settings.endpoints());
        this.dockerHost = b.dockerHost;
        this.settings = b.copy();
        if (b.ownTraefikRoot && b.routes.equals(RouteRuntime.Settings.defaults())) {
            settings.routes = new RouteRuntime.Settings("traefik-" + instance, "127.0.0.1");
        }
        this.etcd = ownsEtcd ? new EtcdFixture(etcdEndpoints) : b.sharedEtcd;
        this.docker = DockerClients.connect(dockerHost);
    }

    /**
     * Another host's operator on the same etcd prefix and the same instance (so it manages the same containers),
     * with the same settings; closed with this one, and it never removes what the instance made. Peers share one
     * Docker, so a stack they should both run is global ({@link StackYaml#global()}): of a replicated stack each
     * peer removes, as assigned to another host, the replicas the scheduler gave the others.
     */
    public TestOperator peer(String otherHost) {
        Builder b = settings.copy();
        b.sharedEtcd = etcd;
        b.instance = instance;
        b.host = otherHost;
        b.stateDir = null;
        b.ownTraefikRoot = false;
        TestOperator peer = new TestOperator(b);
        peers.add(peer);
        return peer;
    }

    public TestOperator start() throws IOException {
        operator = new Operator(operatorSettings());
        operator.start();
        return this;
    }

    private Operator.Settings operatorSettings() {
        return new Operator.Settings(host, settings.hostLabels,
                etcd.settings.withTimeout(settings.etcdTimeout),
                etcd.keys, dockerHost, instance, new InetSocketAddress("127.0.0.1", 0),
                settings.resync, settings.workers, 5, FAST_RETRY, "test", settings.underlay, settings.routes,
                settings.failoverAfter, new dev.berth.operator.dns.DnsSettings(settings.dns, List.of(), null),
                settings.probeInterval, settings.failoverAfterUnknown,
                new dev.berth.operator.secrets.SecretSettings(Optional.ofNullable(settings.secretKeyFile),
                        stateDir(host), settings.secretsDir, settings.filesGrace), settings.images,
                settings.api ? new dev.berth.operator.api.ApiSettings(true, settings.apiListen, null)
                        : dev.berth.operator.api.ApiSettings.off());
    }

    /**
     * A state directory of this operator's own (Secret and Config files), so operators of one test run never share
     * one; every host of the run keeps it under one parent, removed on close.
     */
    public Path stateDir(String forHost) {
        if (settings.stateDir != null && forHost.equals(host)) {
            return settings.stateDir;
        }
        return defaultStateDirs().resolve(forHost);
    }

    private Path defaultStateDirs() {
        return Path.of(System.getProperty("java.io.tmpdir"), "berth-state", instance);
    }

    /**
     * The command line of {@code berth operator} in a JVM of its own, on this test's etcd prefix, instance and
     * Docker host, for tests that kill it or read what it prints: java, {@code jvmOptions}, then the operator's
     * options for {@code host} followed by {@code options}.
     */
    public List<String> processCommand(String host, List<String> jvmOptions, String... options) {
        return processCommand(host, etcdEndpoints, jvmOptions, options);
    }

    /** The same with etcd reached at other endpoints (an operator in another network namespace, through a relay). */
    public List<String> processCommand(String host, String etcdEndpoints, List<String> jvmOptions, String... options) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        // C1 only and the serial collector, as the CLI starts: these processes live seconds to minutes, many start
        // at once on the test machine, and C2's compiler threads were most of their start-up CPU. The caller's own
        // options come after and win.
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("dev.berth.operator.cli.BerthMain", "operator", "--host", host, "--instance", instance,
                "--etcd-endpoints", etcdEndpoints, "--prefix", etcd.prefix, "--docker-host", dockerHost,
                "--state-dir", stateDir(host).toString(), "--secrets-dir", settings.secretsDir.toString()));
        if (settings.secretKeyFile != null) {
            command.addAll(List.of("--secret-key-file", settings.secretKeyFile.toString()));
        }
        dev.berth.operator.images.ImageSettings images = settings.images;
        command.addAll(List.of("--pull-timeout", images.pullTimeout().toMillis() + "ms",
                "--build-timeout", images.buildTimeout().toMillis() + "ms",
                "--image-gc-high-percent", Integer.toString(images.gcHighPercent()),
                "--image-gc-low-percent", Integer.toString(images.gcLowPercent()),
                "--image-gc-min-age", images.gcMinAge().toMillis() + "ms"));
        // Never the default 0.0.0.0:7443: several operators of a run share this machine.
        command.addAll(settings.api ? List.of("--api-listen", "127.0.0.1:0") : List.of("--api-off"));
        command.addAll(List.of(options));
        return command;
    }

    /** Stops the operator only: what it made keeps running. */
    public void stopOperator() {
        if (operator != null) {
            operator.close();
            operator = null;
        }
    }

    public int httpPort() {
        return operator.httpPort();
    }

    /** The running operator, for tests that look at its registry or its parts. */
    public Operator operator() {
        return operator;
    }

    /** Traefik's root key this operator writes routes under. */
    public String traefikRoot() {
        return settings.routes.traefikRoot();
    }

    public KeyLayout keys() {
        return etcd.keys;
    }

    /** A name unique to this run: stacks, routes and sources named with it are this test's own. */
    public String name(String suffix) {
        return instance + "-" + suffix;
    }

    /** A berth command against this operator's etcd prefix. */
    public CliRun cli(String... args) {
        return etcd.cli(args);
    }

    /** Parses and stores manifests the way {@code berth apply} does. */
    public void apply(String yaml) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("test.yaml", yaml);
        if (!parsed.ok()) {
            throw new AssertionError("test manifest invalid: " + parsed.errors());
        }
        etcd.store.apply(parsed.resources());
    }

    public void delete(String kind, String name) {
        etcd.store.delete(Kinds.standard().byKind(kind).orElseThrow(), name);
    }

    public void delete(String stack) {
        delete("Stack", stack);
    }

    /** The desired object's text as stored in etcd. */
    public Optional<String> stored(String kind, String name) {
        return etcd.kv.get(etcd.keys.desired(kind, name)).map(v -> v.value());
    }

    public List<Container> containers(String stack) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance, BerthLabels.OWNER, "stack/" + stack)).exec();
    }

    public List<Container> running(String stack) {
        return containers(stack).stream().filter(c -> "running".equals(c.getState())).toList();
    }

    /** This host's status of a stack. */
    public Optional<ObjectStatus> status(String stack) {
        return etcd.kv.get(keys().status("stack", stack, host)).flatMap(v -> new StatusCodec().read(v.value()));
    }

    public String describeStatus(String stack) {
        return status(stack).map(Object::toString).orElse("no status") + " containers="
                + containers(stack).stream().map(c -> c.getNames()[0] + ":" + c.getState()).toList();
    }

    /** Ready for the stack's current revision, with exactly {@code containers} containers, all running. */
    public boolean isReady(String stack, int containers) {
        return status(stack).map(s -> s.ready() && s.observedRevision() == revision(stack)).orElse(false)
                && running(stack).size() == containers && containers(stack).size() == containers;
    }

    public long revision(String stack) {
        return etcd.kv.get(keys().desired("stack", stack)).map(v -> v.modRevision()).orElse(-1L);
    }

    public void awaitReady(String stack, int containers) {
        Await.until(READY_WAIT, stack + " Ready with " + containers + " running containers",
                () -> isReady(stack, containers), () -> describeStatus(stack));
    }

    /** Waits for a stack of any status to have {@code count} running containers. */
    public void awaitRunning(String stack, int count) {
        Await.until(LONG_WAIT, stack + " with " + count + " running containers", () -> running(stack).size() == count,
                () -> running(stack).size() + " running");
    }

    public Optional<String> degradedReason(String stack) {
        return status(stack).flatMap(s -> s.condition("Degraded")).filter(c -> c.isTrue()).map(c -> c.reason());
    }

    public void awaitDegraded(String stack) {
        Await.until(LONG_WAIT, stack + " Degraded", () -> degradedReason(stack).isPresent(),
                () -> status(stack).map(Object::toString).orElse("no status"));
    }

    /** A GET on the operator's HTTP port. */
    public HttpResponse<String> http(String path) {
        return http(path, Duration.ofSeconds(10));
    }

    private HttpResponse<String> http(String path, Duration timeout) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPort() + path)).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The operator's /metrics body, fetched over HTTP like Prometheus does. */
    public String scrape() {
        HttpResponse<String> r = http("/metrics", Duration.ofSeconds(20));
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode());
        }
        return r.body();
    }

    /**
     * The sum of the samples of a metric whose labels contain every given {@code key="value"} fragment (no
     * fragments: every sample of the metric), read from the operator's registry.
     */
    public double metric(String name, String... labels) {
        return operator.registry().scrape().lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /**
     * Unmounts the Secret tmpfs of every host of this instance (a production operator never does: Docker restarts
     * containers from those files) and deletes their state directories.
     */
    private void removeStateDirs() {
        if (settings.stateDir != null) {
            // Given by the test, which removes it; only the tmpfs is this operator's to undo.
            Path secrets = settings.stateDir.resolve(dev.berth.operator.secrets.HostFiles.SECRETS);
            try {
                for (int i = 0; i < 5 && !dev.berth.operator.secrets.Tmpfs.typeAt(secrets).isEmpty(); i++) {
                    dev.berth.operator.secrets.Tmpfs.unmount(secrets);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unmount " + secrets, e);
            }
        }
        Path top = defaultStateDirs();
        if (!java.nio.file.Files.isDirectory(top)) {
            return;
        }
        try (java.util.stream.Stream<Path> hosts = java.nio.file.Files.list(top)) {
            for (Path hostDir : hosts.toList()) {
                Path secrets = hostDir.resolve(dev.berth.operator.secrets.HostFiles.SECRETS);
                for (int i = 0; i < 5 && !dev.berth.operator.secrets.Tmpfs.typeAt(secrets).isEmpty(); i++) {
                    dev.berth.operator.secrets.Tmpfs.unmount(secrets);
                }
            }
            try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(top)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + top, e);
        }
    }

    /**
     * Removes one of this run's networks. Docker 20.10 can keep an endpoint of a container that is gone (a kill
     * mid-connect), or release a removed container's endpoint a moment after the removal returned: endpoints it
     * still shows are disconnected, and the removal is tried again for up to 10 s.
     */
    private void removeNetwork(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                docker.removeNetworkCmd(id).exec();
                return;
            } catch (com.github.dockerjava.api.exception.DockerException e) {
                if (e.getMessage() == null || !e.getMessage().contains("active endpoints")) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(e.getMessage() + "; the network still lists "
                            + docker.inspectNetworkCmd().withNetworkId(id).exec().getContainers(), e);
                }
            }
            // An operator killed mid-call can have its create or start reach Docker after close() listed the
            // containers: the list is taken again.
            removeContainers();
            var containers = docker.inspectNetworkCmd().withNetworkId(id).exec().getContainers();
            if (containers != null) {
                containers.forEach((container, endpoint) -> {
                    try {
                        docker.disconnectFromNetworkCmd().withNetworkId(id).withContainerId(
                                endpoint.getName() != null ? endpoint.getName() : container).withForce(true).exec();
                    } catch (RuntimeException gone) {
                        // already released meanwhile
                    }
                });
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while removing network " + id, interrupted);
            }
        }
    }

    /** Removes every container labelled with this run's instance. */
    private void removeContainers() {
        for (Container c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance)).exec()) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                // removed meanwhile
            } catch (com.github.dockerjava.api.exception.InternalServerErrorException e) {
                // A dockerd restarted mid-create (DockerFaultsTest's own) may be unable to remove a container whose
                // mount a leftover shim holds; that daemon and its data root go with the test's PrivateDockerd.
                if (e.getMessage() == null || !e.getMessage().contains("failed to remove root filesystem")
                        && !e.getMessage().contains("already in progress")) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        for (TestOperator peer : peers) {
            peer.close();
        }
        stopOperator();
        if (ownsInstance) {
            removeContainers();
            docker.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec()
                    .forEach(n -> removeNetwork(n.getId()));
            // After the containers that mounted their files: no tmpfs and no file of this run stays behind.
            removeStateDirs();
        }
        if (ownsEtcd) {
            if (settings.ownTraefikRoot) {
                etcd.kv.deletePrefix(traefikRoot() + "/");
            }
            etcd.close();
        }
        try {
            docker.close();
        } catch (IOException e) {
            // nothing left to clean
        }
    }
}
