package dev.berth.operator.it;

import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Operator;
import dev.berth.operator.PrivateDockerd;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Three Docker hosts on this machine: a network namespace each, joined by veth to an underlay bridge in the
 * root namespace, a dockerd in each (started with nsenter), and one Berth operator per host on a shared etcd
 * prefix. Names and address ranges are unique per run; close() removes every namespace, link, dockerd and
 * iptables rule it made, and nothing else.
 */
final class OverlayTestBed implements AutoCloseable {
    final String id = Integer.toHexString(0x1000 + new Random().nextInt(0xefff));
    final int underlayOctet = 100 + new Random().nextInt(100);
    final String bridge = "bu" + id + "br";
    final EtcdFixture etcd = new EtcdFixture();
    final List<Host> hosts = new ArrayList<>();
    private boolean iptablesRule;
    /** etcd as operators inside the namespaces reach it (see {@link #startInNetns}); null until one is started. */
    private TcpRelay etcdRelay;

    /** One Docker host of the bed. */
    static final class Host {
        final String netns;
        final String underlayIp;
        final PrivateDockerd dockerd;
        TestOperator harness;
        /** The host's operator when it runs as a process of its own ({@link #startProcess}), else null. */
        Process process;

        Host(String netns, String underlayIp, PrivateDockerd dockerd) {
            this.netns = netns;
            this.underlayIp = underlayIp;
            this.dockerd = dockerd;
        }
    }

    OverlayTestBed(int count) throws Exception {
        try {
            run("ip", "link", "add", bridge, "type", "bridge");
            run("ip", "link", "set", bridge, "up");
            // The root namespace's Docker sets FORWARD to DROP; bridged underlay traffic must pass.
            iptablesRule = tryRun("iptables", "-I", "DOCKER-USER", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
            for (int i = 1; i <= count; i++) {
                String ns = "bn" + id + i;
                String veth = "bu" + id + "h" + i;
                String ip = "10." + underlayOctet + ".0." + (10 + i);
                run("ip", "netns", "add", ns);
                run("ip", "link", "add", veth, "type", "veth", "peer", "name", "ul0", "netns", ns);
                run("ip", "link", "set", veth, "master", bridge, "up");
                run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "ul0");
                run("ip", "-n", ns, "link", "set", "ul0", "up");
                run("ip", "-n", ns, "link", "set", "lo", "up");
                PrivateDockerd dockerd = new PrivateDockerd(ns);
                hosts.add(new Host(ns, ip, dockerd));
                dockerd.start();
                dockerd.copyImageFrom(TestEnv.dockerHost(), TestEnv.testImage());
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    void startOperator(Host host) throws IOException {
        startOperator(host, null, false);
    }

    /** The same named {@code name} (null: the default), with the operator API on 127.0.0.1 when {@code api}. */
    void startOperator(Host host, String name, boolean api) throws IOException {
        TestOperator.Builder builder = TestOperator.builder().etcd(etcd).dockerHost(host.dockerd.host())
                .underlay(new Operator.Underlay(Optional.of("ul0"), Optional.empty(), Optional.of(host.netns)))
                .routes(traefikRoot(), null);
        if (name != null) {
            builder.host(name);
        }
        if (api) {
            builder.api();
        }
        host.harness = builder.build();
        host.harness.start();
    }

    /** Traefik's root key for this bed, so the route leader writes nowhere near anyone else's keys. */
    String traefikRoot() {
        return "traefik-bed" + id;
    }

    void startOperators() throws IOException {
        for (Host host : hosts) {
            startOperator(host);
        }
    }

    /**
     * Names the host's operator (etcd prefix of the bed, an instance of its own, the host's dockerd) without starting
     * one in this JVM: for {@link #startProcess}, and to list what it runs while it is down.
     */
    void prepareOperator(Host host, String name) {
        host.harness = TestOperator.builder().etcd(etcd).dockerHost(host.dockerd.host()).host(name).build();
    }

    /**
     * Starts {@code berth operator} for a prepared host in a JVM of its own, so a test can SIGKILL it (a host lost as
     * a whole: no lease revoked, no leadership handed over). Its output (INFO and up) is appended to
     * target/bed-ID-HOST.log.
     */
    void startProcess(Host host, List<String> options) throws IOException {
        List<String> command = host.harness.processCommand(host.harness.host,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-DBERTH_TEST_LOG=INFO"),
                options.toArray(String[]::new));
        File log = new File("target/bed-" + id + "-" + host.harness.host + ".log");
        host.process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    /** SIGKILL of the host's operator process; returns once it is gone. */
    void killProcess(Host host) throws InterruptedException {
        if (host.process != null) {
            host.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            host.process = null;
        }
    }

    /**
     * The root namespace's address on the underlay bridge, {@code 10.<octet>.0.1}: what a namespace reaches of the
     * machine (the etcd relay, a test's DNS resolver).
     */
    String rootIp() {
        return "10." + underlayOctet + ".0.1";
    }

    /**
     * Assigns {@link #rootIp()} to the underlay bridge (once) and returns it: for a server in the root namespace that the
     * hosts reach, such as {@code TestRegistry.start(bed.rootIpUp())}.
     */
    synchronized String rootIpUp() throws IOException {
        if (!run("ip", "-br", "addr", "show", "dev", bridge).contains(rootIp() + "/")) {
            run("ip", "addr", "add", rootIp() + "/24", "dev", bridge);
        }
        return rootIp();
    }

    /**
     * Starts {@code berth operator} for a prepared host INSIDE its network namespace, as on a real host: it manages the
     * namespace's links without {@code --netns}, binds what it serves (metrics, DNS) there, and reaches etcd through a
     * relay on {@link #rootIp()}. Its metrics listen on the host's underlay address, port 9464. SIGKILL with {@link #killProcess}.
     */
    void startInNetns(Host host, List<String> options) throws IOException {
        synchronized (this) {
            if (etcdRelay == null) {
                rootIpUp();
                String first = etcd.settings.endpoints().get(0);
                java.net.URI uri = java.net.URI.create(first);
                etcdRelay = new TcpRelay(rootIp(), new java.net.InetSocketAddress(uri.getHost(), uri.getPort()));
            }
        }
        List<String> all = new ArrayList<>(List.of("--underlay-interface", "ul0", "--listen", host.underlayIp + ":9464"));
        all.addAll(options);
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + host.netns));
        command.addAll(host.harness.processCommand(host.harness.host, "http://" + etcdRelay.address(),
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-DBERTH_TEST_LOG=INFO"),
                all.toArray(String[]::new)));
        File log = new File("target/bed-" + id + "-" + host.harness.host + ".log");
        host.process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    /** Runs a command in a host's namespace and returns its output. */
    static String inNetns(String netns, String... command) throws IOException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        all.addAll(List.of(command));
        return run(all.toArray(String[]::new));
    }

    static String run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static boolean tryRun(String... command) {
        try {
            run(command);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        for (Host host : hosts) {
            killProcess(host);
            if (host.harness != null) {
                host.harness.close();
            }
        }
        if (etcdRelay != null) {
            etcdRelay.close();
        }
        for (Host host : hosts) {
            host.dockerd.close();
            tryRun("ip", "netns", "delete", host.netns);
        }
        tryRun("ip", "link", "delete", bridge);
        if (iptablesRule) {
            tryRun("iptables", "-D", "DOCKER-USER", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
        }
        etcd.kv.deletePrefix(traefikRoot() + "/");
        etcd.close();
    }
}
