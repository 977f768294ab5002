package dev.berth.operator.cli;

import dev.berth.operator.Operator;
import dev.berth.operator.queue.RetryPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

@Command(name = "operator", mixinStandardHelpOptions = true,
        description = "Run the operator for this Docker host: watch etcd and Docker, converge the declared stacks,"
                + " report status in etcd and metrics on /metrics. SIGTERM stops it gracefully (exit 0).")
public final class OperatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Option(names = "--host", paramLabel = "NAME", defaultValue = "${env:BERTH_HOST}",
            description = "This host's name in placements and status (env BERTH_HOST; default: the machine's hostname).")
    String host;

    @Option(names = "--host-label", paramLabel = "KEY=VALUE", description = "A label of this host, for placement"
            + " selectors. Repeatable.")
    Map<String, String> hostLabels = new LinkedHashMap<>();

    @Option(names = "--docker-host", paramLabel = "URL", defaultValue = "${env:DOCKER_HOST:-unix:///var/run/docker.sock}",
            description = "Docker endpoint: unix:///path or tcp://host:port, e.g. a socket proxy (env DOCKER_HOST;"
                    + " default ${DEFAULT-VALUE}).")
    String dockerHost;

    @Option(names = "--instance", paramLabel = "NAME", defaultValue = "${env:BERTH_INSTANCE:-berth}",
            description = "Value of the berth.dev/managed-by label on everything this operator creates; it lists,"
                    + " changes and removes only objects with that value (env BERTH_INSTANCE; default ${DEFAULT-VALUE}).")
    String instance;

    @Option(names = "--underlay-interface", paramLabel = "NAME", defaultValue = "${env:BERTH_UNDERLAY_INTERFACE}",
            description = "Interface whose IPv4 address carries overlay (VXLAN) traffic (env BERTH_UNDERLAY_INTERFACE)."
                    + " Without this or --underlay-ip, this host takes part in no overlay Network.")
    String underlayInterface;

    @Option(names = "--underlay-ip", paramLabel = "IP", defaultValue = "${env:BERTH_UNDERLAY_IP}",
            description = "Address that carries overlay traffic, instead of --underlay-interface (env BERTH_UNDERLAY_IP).")
    String underlayIp;

    @Option(names = "--netns", paramLabel = "NAME", defaultValue = "${env:BERTH_NETNS}",
            description = "Manage VXLAN devices and FDB entries in this named network namespace (ip netns) instead of"
                    + " the operator's own, e.g. when the operator runs in a container (env BERTH_NETNS).")
    String netns;

    @Option(names = "--traefik-root", paramLabel = "KEY", defaultValue = "traefik",
            description = "Root key of Traefik's etcd provider (its rootKey); kv-mode Routes are written below it. Default: ${DEFAULT-VALUE}.")
    String traefikRoot;

    @Option(names = "--advertise-address", paramLabel = "IP", defaultValue = "${env:BERTH_ADVERTISE_ADDRESS}",
            description = "Address Traefik reaches this host's published ports on (Route servers). Default: the underlay IP,"
                    + " else 127.0.0.1.")
    String advertiseAddress;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "${env:BERTH_LISTEN:-127.0.0.1:9464}",
            description = "Address of /metrics, /healthz and /readyz (env BERTH_LISTEN; default ${DEFAULT-VALUE};"
                    + " port 0 picks a free one).")
    String listen;

    @Option(names = "--resync", paramLabel = "SECONDS", defaultValue = "300",
            description = "Seconds between full re-lists of etcd and Docker (default ${DEFAULT-VALUE}).")
    long resyncSeconds;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
            description = "Reconciles that may run at once, each for a different stack (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--host-ttl", paramLabel = "SECONDS", defaultValue = "15",
            description = "TTL of this host's record in etcd (default ${DEFAULT-VALUE}).")
    long hostTtl;

    @Option(names = "--failover-after", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a host's record must be gone (its lease expired) before the scheduler places its"
                    + " replicas on other hosts, when the overlay does not reach it either (default ${DEFAULT-VALUE})."
                    + " The host's lease TTL comes on top.")
    long failoverAfter;

    @Option(names = "--dns", paramLabel = "true|false", defaultValue = "true", arity = "0..1", fallbackValue = "true",
            description = "Answer names across hosts on the Berth Networks and point their containers at this operator's"
                    + " gateway address as DNS server (default ${DEFAULT-VALUE}). Off whatever this says with --netns: the"
                    + " operator must run in the Docker host's own network namespace to answer there.")
    boolean dns;

    @Option(names = "--failover-after-unknown", paramLabel = "SECONDS", defaultValue = "300",
            description = "The same for an Unknown host: its record is gone but its containers still answer through the"
                    + " overlay (its operator died, its data plane did not). Default ${DEFAULT-VALUE}, like Kubernetes'"
                    + " eviction toleration; once probes to it fail as well, --failover-after applies again.")
    long failoverAfterUnknown;

    @Option(names = "--probe-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between probes of each overlay peer: one small and one full-size ping from this host's"
                    + " gateway on each Network to each peer's, published for `berth doctor` (default ${DEFAULT-VALUE}).")
    long probeInterval;

    @Option(names = "--max-backoff", paramLabel = "SECONDS", defaultValue = "180",
            description = "Longest wait between retries of a failing stack (default ${DEFAULT-VALUE}).")
    long maxBackoff;

    @Option(names = "--secret-key-file", paramLabel = "FILE", defaultValue = "${env:BERTH_SECRET_KEY_FILE}",
            description = "The cluster key file that decrypts Secrets (env BERTH_SECRET_KEY_FILE); without it no"
                    + " Secret can be used on this host")
    java.nio.file.Path secretKeyFile;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:BERTH_STATE_DIR:-/var/lib/berth}",
            description = "The operator's own directory: Secret files on a tmpfs under secrets/, Config files under"
                    + " configs/ (dockerd must see the same path) (default: ${DEFAULT-VALUE})")
    java.nio.file.Path stateDir;

    @Option(names = "--secrets-dir", paramLabel = "DIR", defaultValue = "${env:BERTH_SECRETS_DIR:-/etc/berth/secrets}",
            description = "The only directory GitSources may name files in (passwords, ssh keys, known_hosts,"
                    + " webhook secrets) (default: ${DEFAULT-VALUE})")
    java.nio.file.Path secretsDir;

    @Option(names = "--pull-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationArgument.class,
            description = "Longest one image pull or push may take (default ${DEFAULT-VALUE}).")
    Duration pullTimeout;

    @Option(names = "--build-timeout", paramLabel = "DURATION", defaultValue = "30m", converter = DurationArgument.class,
            description = "Longest one image build may take (default ${DEFAULT-VALUE}).")
    Duration buildTimeout;

    @Option(names = "--image-gc-high-percent", paramLabel = "PERCENT", defaultValue = "85",
            description = "Remove unused images Berth pulled or built when the disk holding Docker's data is fuller"
                    + " than this (default ${DEFAULT-VALUE}); 100 turns image collection off.")
    int imageGcHighPercent;

    @Option(names = "--image-gc-low-percent", paramLabel = "PERCENT", defaultValue = "80",
            description = "... until it is below this (default ${DEFAULT-VALUE}).")
    int imageGcLowPercent;

    @Option(names = "--image-gc-min-age", paramLabel = "DURATION", defaultValue = "2m", converter = DurationArgument.class,
            description = "How long no container may have used an image before it can be removed (default"
                    + " ${DEFAULT-VALUE}).")
    Duration imageGcMinAge;

    @Option(names = "--dns-upstream", paramLabel = "HOST[:PORT],...", defaultValue = "${env:BERTH_DNS_UPSTREAM}",
            description = "Resolvers the name responder forwards non-Berth names to (env BERTH_DNS_UPSTREAM; default:"
                    + " the nameservers of /etc/resolv.conf, without Docker's 127.0.0.11).")
    String dnsUpstream;

    @Option(names = "--api-listen", paramLabel = "HOST:PORT", defaultValue = "${env:BERTH_API_LISTEN:-0.0.0.0:7443}",
            description = "Address of the operator API that berth logs and berth exec call: HTTPS with a certificate"
                    + " made at start, every request with the cluster's token from etcd (env BERTH_API_LISTEN; default"
                    + " ${DEFAULT-VALUE}; port 0 picks a free one). Firewall it to the machines that run the CLI.")
    String apiListen;

    @Option(names = "--api-advertise", paramLabel = "HOST:PORT", defaultValue = "${env:BERTH_API_ADVERTISE}",
            description = "Address the CLI reaches the API at, published in the host record (env BERTH_API_ADVERTISE;"
                    + " default: the --api-listen address, or the underlay IP when it listens on every address).")
    String apiAdvertise;

    @Option(names = "--api-off", description = "No operator API on this host: berth logs and berth exec cannot reach"
            + " its containers. (There is no unauthenticated mode.)")
    boolean apiOff;

    @Override
    public Integer call() throws Exception {
        if (workers < 1 || workers > 64) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers must be 1..64");
        }
        if (failoverAfter < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--failover-after must be at least 1 second");
        }
        if (failoverAfterUnknown < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--failover-after-unknown must be at least 1 second");
        }
        if (resyncSeconds < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--resync must be at least 1 second");
        }
        if (probeInterval < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--probe-interval must be at least 1 second");
        }
        if (imageGcLowPercent < 0 || imageGcHighPercent > 100 || imageGcLowPercent > imageGcHighPercent) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--image-gc-low-percent must be between 0 and --image-gc-high-percent, which is at most 100");
        }
        InetSocketAddress listenAddress = address();
        FreePort.require(listenAddress);
        RetryPolicy defaults = RetryPolicy.defaults();
        Operator.Settings settings = new Operator.Settings(hostName(), Map.copyOf(hostLabels), etcd.settings(),
                etcd.keyLayout(), dockerHost, instance, listenAddress, Duration.ofSeconds(resyncSeconds), workers, hostTtl,
                new RetryPolicy(defaults.initial(), defaults.multiplier(), defaults.jitter(), Duration.ofSeconds(maxBackoff)),
                BerthVersion.current(), new Operator.Underlay(Optional.ofNullable(underlayInterface),
                        Optional.ofNullable(underlayIp), Optional.ofNullable(netns)),
                new dev.berth.operator.route.RouteRuntime.Settings(traefikRoot, advertiseAddress),
                Duration.ofSeconds(failoverAfter), dnsSettings(), Duration.ofSeconds(probeInterval),
                Duration.ofSeconds(failoverAfterUnknown),
                new dev.berth.operator.secrets.SecretSettings(Optional.ofNullable(secretKeyFile), stateDir, secretsDir),
                imageSettings(), apiSettings());
        CountDownLatch stop = new CountDownLatch(1);
        // Handle TERM and INT ourselves so a graceful stop exits 0 (a JVM killed by a signal exits 143).
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (Operator operator = new Operator(settings)) {
            operator.start();
            stop.await();
        } catch (dev.berth.operator.secrets.StateDirLock.Unavailable e) {
            throw new CliException(e.getMessage());
        } catch (java.net.BindException e) {
            // taken between FreePort's check and the server's bind, or another listener (DNS)
            throw new CliException("cannot listen: " + e.getMessage());
        }
        return 0;
    }

    private dev.berth.operator.dns.DnsSettings dnsSettings() {
        java.util.List<InetSocketAddress> upstreams = java.util.List.of();
        if (dnsUpstream != null && !dnsUpstream.isBlank()) {
            try {
                upstreams = dev.berth.operator.dns.Upstreams.parse(dnsUpstream);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--dns-upstream: " + e.getMessage());
            }
        }
        return new dev.berth.operator.dns.DnsSettings(dns, upstreams, dev.berth.operator.dns.DnsSettings.DEFAULT_FORWARD_TIMEOUT);
    }

    private String hostName() {
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new CliException("cannot tell this machine's hostname; pass --host NAME");
        }
    }

    private InetSocketAddress address() {
        return hostPort("--listen", listen);
    }

    private dev.berth.operator.api.ApiSettings apiSettings() {
        if (apiOff) {
            return dev.berth.operator.api.ApiSettings.off();
        }
        if (apiAdvertise != null && !apiAdvertise.isBlank()) {
            hostPort("--api-advertise", apiAdvertise);
        }
        return new dev.berth.operator.api.ApiSettings(true, hostPort("--api-listen", apiListen), apiAdvertise);
    }

    private InetSocketAddress hostPort(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " expects HOST:PORT, got " + value);
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(value.substring(0, colon).replaceAll("^\\[|\\]$", ""), port);
        } catch (NumberFormatException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " expects HOST:PORT, got " + value);
        }
    }

    private dev.berth.operator.images.ImageSettings imageSettings() {
        return new dev.berth.operator.images.ImageSettings(pullTimeout, buildTimeout, imageGcHighPercent,
                imageGcLowPercent, imageGcMinAge, dev.berth.operator.images.ImageSettings.defaults().gcInterval());
    }
}
