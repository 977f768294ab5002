package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.sh;
import static dev.berth.bench.BenchSupport.sh0;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Names across hosts (issue 15): two hosts (namespaces with a dockerd each, veths to an underlay bridge), each with an
 * operator started INSIDE its namespace as on a real host (etcd reached through socat on the bridge's root address),
 * a Berth Network and a stack: {@code web} on host 1 (on the Network), {@code loc} and {@code cli} on host 0 ({@code cli}
 * on the Network and the stack's default network, {@code loc} on the default network). From {@code cli}'s network
 * namespace, a loop asks Docker's embedded DNS for {@code web} (another host: forwarded to Berth's responder) and for
 * {@code loc} (a local alias Docker's embedded DNS answers alone), one query at a time. Goal: p50 and p99 ≤ 1.5× the
 * local lookup.
 */
final class NamesFigure extends Figure {
    static final int LOOKUPS = 1000;
    static final String STACK = "nm";

    NamesFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        int octet = 100 + new Random().nextInt(100);
        String bridge = "bbn" + runId + "br";
        String rootIp = "10." + octet + ".0.1";
        String prefix = newPrefix("n");
        List<NsDockerd> hosts = new ArrayList<>();
        List<OperatorProcess> operators = new ArrayList<>();
        Process relay = null;
        try {
            sh("ip", "link", "add", bridge, "type", "bridge");
            sh("ip", "link", "set", bridge, "up");
            sh("ip", "addr", "add", rootIp + "/24", "dev", bridge);
            sh0("iptables", "-I", "DOCKER-USER", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
            URI etcd = URI.create(etcdEndpoints.split(",")[0]);
            int relayPort = 20000 + new Random().nextInt(10000);
            relay = new ProcessBuilder("socat", "TCP-LISTEN:" + relayPort + ",bind=" + rootIp + ",fork,reuseaddr",
                    "TCP:" + etcd.getHost() + ":" + etcd.getPort()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("socat.log").toFile()).start();
            for (int i = 0; i < 2; i++) {
                String ns = "bbn" + runId + i;
                NsDockerd h = new NsDockerd(ns, "/run/bbn-" + runId + "-" + i + ".sock", "/run/bbn-" + runId + "-" + i,
                        work.resolve("dockerd-n" + i), work.resolve("dockerd-" + ns + ".log"));
                hosts.add(h);
                h.start(client, image);
                h.underlay(bridge, "bbn" + runId + "v" + i, "10." + octet + ".0." + (11 + i));
            }
            for (int i = 0; i < 2; i++) {
                NsDockerd h = hosts.get(i);
                operators.add(new OperatorProcess(List.of("nsenter", "--net=/var/run/netns/" + h.ns), h.underlayIp, 9464,
                        jar, host(i), "bb" + runId + "n" + i, prefix, "unix://" + h.sock,
                        "http://" + rootIp + ":" + relayPort, 30, WORKERS, work.resolve("operator-" + host(i) + ".log"),
                        "--underlay-interface", "ul0"));
            }
            apply(store(prefix), """
                    apiVersion: berth.dev/v1
                    kind: Network
                    metadata:
                      name: bn%s
                    spec:
                      vni: %d
                      subnet: 10.%d.0.0/16
                    ---
                    apiVersion: berth.dev/v1
                    kind: Stack
                    metadata:
                      name: %s
                    spec:
                      services:
                        - name: web
                          image: %s
                          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                          networks: [bn%s]
                          placement: {hosts: [%s]}
                        - name: loc
                          image: %s
                          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                          placement: {hosts: [%s]}
                        - name: cli
                          image: %s
                          command: ["sleep", "100000"]
                          networks: [bn%s, default]
                          placement: {hosts: [%s]}
                    ---
                    """.formatted(runId, 200000 + new Random().nextInt(100000), octet - 50, STACK, image, runId, host(1),
                    image, host(0), image, runId, host(0)));
            await(Duration.ofSeconds(240), "web on host 1, loc and cli on host 0",
                    () -> running(hosts.get(1), "web") && running(hosts.get(0), "loc") && running(hosts.get(0), "cli"), 500);
            String cli = hosts.get(0).client.listContainersCmd().exec().stream()
                    .filter(c -> c.getNames()[0].equals("/" + STACK + "-cli-1")).findFirst().orElseThrow().getId();
            int pid = hosts.get(0).client.inspectContainerCmd(cli).exec().getState().getPid();
            List<Double> remote = new ArrayList<>();
            List<Double> local = new ArrayList<>();
            await(Duration.ofSeconds(60), "web resolves from cli", () -> lookups(pid, 1, remote, local), 1000);
            remote.clear();
            local.clear();
            // The responder's own share of a remote lookup: its answer timer on host 0, over the measured loops.
            Metrics before = operators.get(0).scrape();
            for (int r = 0; r < Math.max(1, runs); r++) {
                if (!lookups(pid, LOOKUPS, remote, local)) {
                    throw new AssertionError("lookups failed from cli; see the operators' logs in " + work);
                }
            }
            Metrics after = operators.get(0).scrape();
            double answers = after.sum("berth_dns_answer_seconds_count") - before.sum("berth_dns_answer_seconds_count");
            double seconds = after.sum("berth_dns_answer_seconds_sum") - before.sum("berth_dns_answer_seconds_sum");
            double remoteMean = remote.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
            notes.add("names: the responder's own share: " + BenchSupport.fmt(seconds / answers * 1e6) + " µs mean per answer ("
                    + (long) answers + " answered on host 0) of the " + BenchSupport.fmt(remoteMean)
                    + " µs mean remote lookup; the rest is Docker's embedded DNS forwarding it and the hops");
            Stats remoteStats = new Stats(remote);
            Stats localStats = new Stats(local);
            rows.add(new Row("names: lookup of a service on another host from a container, p50", new Stats(List.of(remoteStats.median())),
                    new Stats(List.of(localStats.median())), "Docker's embedded DNS answering a local alias", 1.5, " µs",
                    LOOKUPS + " lookups per run, one at a time, after 50 warm-up ones"));
            rows.add(new Row("names: lookup of a service on another host from a container, p99", new Stats(List.of(remoteStats.pct(99))),
                    new Stats(List.of(localStats.pct(99))), "Docker's embedded DNS answering a local alias", 1.5, " µs", ""));
            notes.add("names: asked through Docker's embedded DNS (127.0.0.11) from the client container's network namespace;"
                    + " the remote name is forwarded by it to Berth's responder on the host's gateway address of the Network");
        } finally {
            operators.forEach(OperatorProcess::close);
            hosts.forEach(NsDockerd::close);
            if (relay != null) {
                relay.destroy();
                relay.waitFor(10, TimeUnit.SECONDS);
            }
            sh0("ip", "link", "delete", bridge);
            sh0("iptables", "-D", "DOCKER-USER", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
        }
    }

    private String host(int i) {
        return "bench-" + runId + "-n" + i;
    }

    private static boolean running(NsDockerd h, String service) {
        for (Container c : h.client.listContainersCmd().exec()) {
            if (c.getNames()[0].equals("/" + STACK + "-" + service + "-1")) {
                return true;
            }
        }
        return false;
    }

    /** One loop in cli's namespace; adds the answered lookups' times in µs; false when any lookup failed. */
    private boolean lookups(int pid, int count, List<Double> remote, List<Double> local) {
        try {
            Process p = new ProcessBuilder("nsenter", "-t", String.valueOf(pid), "-n", "java", "-cp",
                    System.getProperty("java.class.path"), LookupLoop.class.getName(), "127.0.0.11",
                    String.valueOf(count), "web", "loc").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                System.out.println("lookup loop: " + out);
                return false;
            }
            boolean ok = true;
            for (String line : out.split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length != 3 || !(f[0].equals("web") || f[0].equals("loc"))) {
                    continue;
                }
                if (!f[2].equals("failures=0") || f[1].isEmpty()) {
                    System.out.println("lookup loop: " + f[0] + " " + f[2] + " of " + count);
                    ok = false;
                }
                List<Double> into = f[0].equals("web") ? remote : local;
                for (String v : f[1].split(",")) {
                    if (!v.isEmpty()) {
                        into.add(Double.parseDouble(v));
                    }
                }
            }
            return ok && !remote.isEmpty() && !local.isEmpty();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
