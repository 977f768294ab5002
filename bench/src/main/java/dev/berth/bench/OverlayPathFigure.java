package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.sh;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The overlay data path between two hosts (issue 21): a container on each host on a Berth Network (VXLAN), two on a
 * Swarm overlay network (attachable, the same kernel VXLAN), and the two hosts' namespaces on the underlay alone.
 * Per path and run: 1,000 pings 10 ms apart (RTT p50, p99) and 5 s of one iperf3 TCP stream, both run by the host's
 * binaries inside the client's and the server's network namespaces (nsenter). The paths take turns within each run.
 * Then one more iperf3 run per path under a kernel profile ({@link KernelProfile}), in the notes.
 */
final class OverlayPathFigure extends Figure {
    static final int PINGS = 1000;
    static final int SECONDS = 5;

    OverlayPathFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        try (HostBed bed = new HostBed(bench, "p").start(2)) {
            String prefix = newPrefix("p");
            for (int i = 0; i < 2; i++) {
                bed.operator(i, prefix, 30);
            }
            String berthNet = "bn" + runId;
            String berthSubnet = "10." + (bed.octet - 50) + ".";
            apply(store(prefix), """
                    apiVersion: berth.dev/v1
                    kind: Network
                    metadata:
                      name: %s
                    spec:
                      vni: %d
                      subnet: %s0.0/16
                    ---
                    apiVersion: berth.dev/v1
                    kind: Stack
                    metadata:
                      name: op
                    spec:
                      services:
                        - name: a
                          image: %s
                          command: ["sleep", "100000"]
                          networks: [%s]
                          placement: {hosts: [%s]}
                        - name: b
                          image: %s
                          command: ["sleep", "100000"]
                          networks: [%s]
                          placement: {hosts: [%s]}
                    ---
                    """.formatted(berthNet, 200000 + new Random().nextInt(100000), berthSubnet, image, berthNet,
                    bed.hostName(0), image, berthNet, bed.hostName(1)));
            try (SwarmCluster swarm = new SwarmCluster(bed, 0)) {
                String swarmNet = "sw" + runId;
                String swarmSubnet = "10." + (bed.octet - 49) + ".0.";
                NsDockerd h0 = bed.hosts.get(0);
                NsDockerd h1 = bed.hosts.get(1);
                sh("docker", "-H", "unix://" + h0.sock, "network", "create", "-d", "overlay", "--attachable", "--subnet",
                        swarmSubnet + "0/24", swarmNet);
                sh("docker", "-H", "unix://" + h0.sock, "run", "-d", "--name", "swa", "--network", swarmNet, image, "sleep", "100000");
                sh("docker", "-H", "unix://" + h1.sock, "run", "-d", "--name", "swb", "--network", swarmNet, image, "sleep", "100000");
                await(Duration.ofSeconds(240), "op-a-1 on host 0 and op-b-1 on host 1",
                        () -> HostBed.running(h0, "op-a-1"::equals) == 1 && HostBed.running(h1, "op-b-1"::equals) == 1, 500);
                Map<String, NetPath> paths = new LinkedHashMap<>();
                paths.put("Berth", new NetPath("Berth VXLAN", netns(h0, "op-a-1"), netns(h1, "op-b-1"), ip(h1, "op-b-1", berthSubnet)));
                paths.put("Swarm", new NetPath("Swarm overlay", netns(h0, "swa"), netns(h1, "swb"), ip(h1, "swb", swarmSubnet)));
                paths.put("underlay", new NetPath("underlay", "/var/run/netns/" + h0.ns, "/var/run/netns/" + h1.ns, h1.underlayIp));
                measure(paths);
                notes.add("overlay-path: the VXLAN devices on host 0, Berth's: " + vxlan(List.of("ip", "-n", h0.ns))
                        + "; Swarm's (in its overlay's sandbox): " + swarmVxlan(h0));
            }
        }
    }

    private void measure(Map<String, NetPath> paths) throws IOException {
        Map<String, List<Double>> p50 = new LinkedHashMap<>();
        Map<String, List<Double>> p99 = new LinkedHashMap<>();
        Map<String, List<Double>> gbps = new LinkedHashMap<>();
        Map<String, Integer> lost = new LinkedHashMap<>();
        for (var e : paths.entrySet()) {
            // Warm-up: neighbour and forwarding entries learnt, so no run pays for the first packets' resolution.
            await(Duration.ofSeconds(60), e.getKey() + " path answers", () -> {
                try {
                    return e.getValue().ping(20).size() >= 15;
                } catch (IOException x) {
                    return false;
                }
            }, 1000);
        }
        List<String> order = new ArrayList<>(paths.keySet());
        for (int r = 0; r < runs; r++) {
            for (String k : order) {
                NetPath p = paths.get(k);
                Stats rtt = new Stats(p.ping(PINGS));
                p50.computeIfAbsent(k, x -> new ArrayList<>()).add(rtt.median());
                p99.computeIfAbsent(k, x -> new ArrayList<>()).add(rtt.pct(99));
                lost.merge(k, PINGS - rtt.values().size(), Integer::sum);
                gbps.computeIfAbsent(k, x -> new ArrayList<>()).add(p.throughput(SECONDS, 5201 + r));
                System.out.printf("overlay-path run %d %s: RTT p50 %s µs p99 %s µs, %s Gbit/s%n", r, p.name(), fmt(rtt.median()),
                        fmt(rtt.pct(99)), fmt(gbps.get(k).get(gbps.get(k).size() - 1)));
            }
            // Each path goes first in turn, so none always runs on a machine the previous path left warm.
            order.add(order.remove(0));
        }
        String under = "underlay: RTT p50 " + new Stats(p50.get("underlay")).show(" µs") + ", p99 "
                + new Stats(p99.get("underlay")).show(" µs") + ", " + new Stats(gbps.get("underlay")).show(" Gbit/s");
        rows.add(new Row("overlay-path RTT p50: container to container, Berth VXLAN vs Swarm overlay", new Stats(p50.get("Berth")),
                new Stats(p50.get("Swarm")), "Swarm overlay", Double.NaN, " µs", under + "; pings lost " + lost));
        rows.add(new Row("overlay-path RTT p99: container to container, Berth VXLAN vs Swarm overlay", new Stats(p99.get("Berth")),
                new Stats(p99.get("Swarm")), "Swarm overlay", Double.NaN, " µs", PINGS + " pings per path and run"));
        rows.add(new Row("overlay-path throughput vs underlay: TCP between two hosts, Berth VXLAN vs the underlay", new Stats(gbps.get("Berth")),
                new Stats(gbps.get("underlay")), "underlay alone", 0.95, " Gbit/s", "iperf3, one stream, " + SECONDS + " s", true));
        rows.add(new Row("overlay-path throughput vs Swarm: TCP between two hosts, Berth VXLAN vs Swarm overlay", new Stats(gbps.get("Berth")),
                new Stats(gbps.get("Swarm")), "Swarm overlay", 1.0, " Gbit/s", "Swarm: " + new Stats(gbps.get("Swarm")).show(" Gbit/s"), true));
        profile(paths);
        notes.add("overlay-path: both overlays are kernel VXLAN over the same veth underlay (MTU 1500, overlays 1450); all on one"
                + " machine, so throughput is bounded by its CPUs, not a wire: the ratio shows what encapsulation and each"
                + " overlay's plumbing cost");
    }

    /**
     * One more iperf3 run per path under a system-wide kernel profile (not counted in the figures: perf's sampling
     * costs CPU too): where each path's CPU goes, and its CPU time per Gbit/s moved. Skipped, and said, without perf.
     */
    private void profile(Map<String, NetPath> paths) throws IOException {
        if (!KernelProfile.available()) {
            notes.add("overlay-path: no kernel profile (perf is not installed)");
            return;
        }
        int cpus = onlineCpus();
        int port = 5301;
        for (var e : paths.entrySet()) {
            NetPath p = e.getValue();
            int thisPort = port++;
            try {
                // perf starts with iperf3's server; the client sends from about 0.5 s on, for SECONDS.
                KernelProfile.Recorded<Double> r = KernelProfile.during(work.resolve("perf-" + e.getKey() + ".data"), 1000,
                        SECONDS, () -> p.throughput(SECONDS, thisPort));
                double cpuSecondsPerGbit = r.shares().busy() * cpus / r.result();
                notes.add("overlay-path kernel profile, " + p.name() + " (perf record -e cpu-clock -a, " + (SECONDS - 1)
                        + " s inside one more iperf3 run, not counted above; the whole machine's " + cpus + " CPUs): "
                        + fmt(r.result()) + " Gbit/s, " + fmt(cpuSecondsPerGbit * 1000) + " ms of CPU per Gbit; "
                        + r.shares().show());
            } catch (IOException x) {
                notes.add("overlay-path kernel profile, " + p.name() + ": not taken (" + x.getMessage() + ")");
            }
        }
    }

    /** CPUs perf -a samples: the online ones ("0-1,3"), which a container's CPU limit does not change. */
    private static int onlineCpus() {
        try {
            int n = 0;
            for (String range : java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/online")).trim()
                    .split(",")) {
                String[] ends = range.split("-");
                n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** {@code ip -d link show type vxlan}, one line per device, from the namespace {@code ip} enters. */
    private static String vxlan(List<String> ip) {
        List<String> cmd = new ArrayList<>(ip);
        cmd.addAll(List.of("-d", "-o", "link", "show", "type", "vxlan"));
        try {
            List<String> devices = new ArrayList<>();
            for (String line : SwarmCluster.out(cmd.toArray(String[]::new)).split("\n")) {
                // name, MTU, the bridge it hangs on, and the VXLAN parameters up to the TTL: what differs between overlays
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("^\\d+: (\\S+): .*? mtu (\\d+) .*?master (\\S+).*?(vxlan id .*?) ttl").matcher(line);
                if (m.find()) {
                    devices.add(m.group(1) + " mtu " + m.group(2) + " on bridge " + m.group(3) + ", " + m.group(4));
                }
            }
            return String.join("; ", devices);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static String swarmVxlan(NsDockerd h) {
        StringBuilder s = new StringBuilder();
        try (var files = java.nio.file.Files.list(h.netnsDir())) {
            for (java.nio.file.Path f : files.filter(f -> f.getFileName().toString().startsWith("1-")).toList()) {
                s.append(vxlan(List.of("nsenter", "--net=" + f, "ip"))).append(' ');
            }
        } catch (IOException e) {
            s.append('(').append(e.getMessage()).append(')');
        }
        return s.toString().trim();
    }

    private static String netns(NsDockerd h, String name) {
        Container c = h.client.listContainersCmd().exec().stream().filter(x -> x.getNames()[0].equals("/" + name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not running"));
        return "/proc/" + h.client.inspectContainerCmd(c.getId()).exec().getState().getPid() + "/ns/net";
    }

    /** The container's address in {@code subnetPrefix} (the Docker network's name is each overlay's own business). */
    private static String ip(NsDockerd h, String name, String subnetPrefix) {
        Container c = h.client.listContainersCmd().exec().stream().filter(x -> x.getNames()[0].equals("/" + name)).findFirst()
                .orElseThrow();
        for (ContainerNetwork n : h.client.inspectContainerCmd(c.getId()).exec().getNetworkSettings().getNetworks().values()) {
            if (n.getIpAddress() != null && n.getIpAddress().startsWith(subnetPrefix)) {
                return n.getIpAddress();
            }
        }
        throw new AssertionError(name + " has no address in " + subnetPrefix + "0.0");
    }
}
