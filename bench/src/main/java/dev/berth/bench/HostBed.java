package dev.berth.bench;

import static dev.berth.bench.BenchSupport.sh;
import static dev.berth.bench.BenchSupport.sh0;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The namespace bed Berth and Swarm share (issue 21): {@code n} Docker hosts, each a network namespace with a dockerd
 * of its own and a veth {@code ul0} on an underlay bridge in the root namespace (which carries VXLAN, Swarm's gossip
 * and its control port; a DOCKER-USER rule lets the bridge forward), and etcd relayed onto the bridge so operators
 * run inside the namespaces as on real hosts. Every name carries the run's id and the figure's tag; close() removes
 * all of it, operators first.
 */
final class HostBed implements AutoCloseable {
    final List<NsDockerd> hosts = new ArrayList<>();
    final String rootIp;
    /**
     * The second octet of this bed's addresses; 10.(octet-50).0.0/16 is free for a Berth overlay's subnet and
     * 10.(octet-49).0.0/16 for a Swarm overlay's (figures run one bed at a time).
     */
    final int octet;
    private final BenchRun bench;
    private final String tag;
    private final String bridge;
    private final List<OperatorProcess> operators = new ArrayList<>();
    private Process relay;
    private String etcd;

    HostBed(BenchRun bench, String tag) {
        this.bench = bench;
        this.tag = tag;
        this.octet = 100 + new Random().nextInt(100);
        this.bridge = "bb" + tag + bench.runId + "br";
        this.rootIp = "10." + octet + ".0.1";
    }

    /** Builds the bed; on failure removes what it made so far (the caller's try-with-resources never got it). */
    HostBed start(int n) throws IOException {
        try {
            build(n);
            return this;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void build(int n) throws IOException {
        sh("ip", "link", "add", bridge, "type", "bridge");
        sh("ip", "link", "set", bridge, "up");
        sh("ip", "addr", "add", rootIp + "/24", "dev", bridge);
        sh0("iptables", "-I", "DOCKER-USER", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
        URI e = URI.create(bench.etcdEndpoints.split(",")[0]);
        int relayPort = 20000 + new Random().nextInt(10000);
        relay = new ProcessBuilder("socat", "TCP-LISTEN:" + relayPort + ",bind=" + rootIp + ",fork,reuseaddr",
                "TCP:" + e.getHost() + ":" + e.getPort()).redirectErrorStream(true)
                .redirectOutput(bench.work.resolve("socat-" + tag + ".log").toFile()).start();
        etcd = "http://" + rootIp + ":" + relayPort;
        for (int i = 0; i < n; i++) {
            String ns = "bb" + tag + bench.runId + i;
            NsDockerd h = new NsDockerd(ns, "/run/" + ns + ".sock", "/run/" + ns, bench.work.resolve("dockerd-" + ns),
                    bench.work.resolve("dockerd-" + ns + ".log"));
            hosts.add(h);
            h.start(bench.client, bench.image);
            h.underlay(bridge, "bb" + tag + bench.runId + "v" + i, "10." + octet + ".0." + (11 + i));
        }
    }

    String image() {
        return bench.image;
    }

    String hostName(int i) {
        return "bench-" + bench.runId + "-" + tag + i;
    }

    /** The operator of host {@code i}, in its namespace, on {@code prefix}; {@code extra} adds options. */
    OperatorProcess operator(int i, String prefix, int resyncSeconds, String... extra) throws IOException {
        NsDockerd h = hosts.get(i);
        List<String> opts = new ArrayList<>(List.of("--underlay-interface", "ul0"));
        opts.addAll(Arrays.asList(extra));
        OperatorProcess op = new OperatorProcess(List.of("nsenter", "--net=/var/run/netns/" + h.ns), h.underlayIp, 9464,
                bench.jar, hostName(i), "bb" + bench.runId + tag + i, prefix, "unix://" + h.sock, etcd, resyncSeconds,
                Figure.WORKERS, bench.work.resolve("operator-" + hostName(i) + ".log"), opts.toArray(String[]::new));
        operators.add(op);
        return op;
    }

    /** Stops the operators started so far (SIGTERM; what they run stays). */
    void stopOperators() {
        operators.forEach(OperatorProcess::close);
        operators.clear();
    }

    /** Containers running on all hosts whose name passes {@code which}. */
    int running(java.util.function.Predicate<String> which) {
        int n = 0;
        for (NsDockerd h : hosts) {
            n += running(h, which);
        }
        return n;
    }

    static int running(NsDockerd h, java.util.function.Predicate<String> which) {
        if (h.client == null) {
            return 0;
        }
        int n = 0;
        for (Container c : h.client.listContainersCmd().exec()) {
            if (which.test(c.getNames()[0].substring(1))) {
                n++;
            }
        }
        return n;
    }

    /** How many of the containers passing {@code which} each host runs, e.g. "10/10/10". */
    String spread(java.util.function.Predicate<String> which) {
        List<String> s = new ArrayList<>();
        for (NsDockerd h : hosts) {
            s.add(String.valueOf(running(h, which)));
        }
        return String.join("/", s);
    }

    @Override
    public void close() {
        operators.forEach(OperatorProcess::close);
        // Leaving the swarm first lets each dockerd take its overlay sandboxes down itself.
        for (NsDockerd h : hosts) {
            if (h.client != null) {
                sh0("docker", "-H", "unix://" + h.sock, "swarm", "leave", "--force");
            }
        }
        hosts.forEach(NsDockerd::close);
        if (relay != null) {
            relay.destroy();
            try {
                relay.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sh0("ip", "link", "delete", bridge);
        sh0("iptables", "-D", "DOCKER-USER", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
    }
}
