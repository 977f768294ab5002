package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.sleep;

import dev.berth.crds.Kinds;
import dev.berth.operator.store.ResourceStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The control plane's cost at rest (issue 21): 30 one-replica services running over 3 hosts. Berth: the CPU time and
 * RSS of its three operators (with their default resync). Swarm: what its three dockerds use in swarm mode beyond
 * what they use running 30 plain containers with no one watching (Berth's operators stopped, their containers left
 * running): the same daemons, measured one phase after the other. Windows of {@link #WINDOW_S} s after a settling
 * pause; CPU as seconds per minute, RSS summed over the three hosts.
 */
final class RestCostFigure extends Figure {
    static final int N = 30;
    static final int WINDOW_S = 30;
    static final int SETTLE_S = 30;

    RestCostFigure(BenchRun bench) {
        super(bench);
    }

    /** One measuring window: CPU seconds per minute and RSS in MiB, summed over the processes. */
    record Cost(double cpuPerMin, double rssMib) {
    }

    @Override
    void run() throws Exception {
        try (HostBed bed = new HostBed(bench, "r").start(3)) {
            String prefix = newPrefix("r");
            ResourceStore store = store(prefix);
            List<OperatorProcess> ops = new ArrayList<>();
            for (int i = 0; i < bed.hosts.size(); i++) {
                ops.add(bed.operator(i, prefix, 300));
            }
            apply(store, stackYaml());
            await(Duration.ofSeconds(300), N + " containers of rc", () -> bed.running(n -> n.startsWith("rc-")) == N, 500);
            sleep(SETTLE_S * 1000L);
            List<Long> opPids = ops.stream().map(OperatorProcess::pid).toList();
            List<Long> dPids = bed.hosts.stream().map(NsDockerd::pid).toList();
            List<Cost> berthOps = new ArrayList<>();
            List<Cost> dockerdWithBerth = new ArrayList<>();
            double etcdCalls = 0;
            for (int r = 0; r < runs; r++) {
                double calls0 = etcdCalls(ops);
                List<Cost> both = window(List.of(opPids, dPids));
                etcdCalls += etcdCalls(ops) - calls0;
                berthOps.add(both.get(0));
                dockerdWithBerth.add(both.get(1));
            }
            String spread = bed.spread(n -> n.startsWith("rc-"));
            // The operators go (their containers stay): the daemons alone, running the same 30 containers.
            bed.stopOperators();
            sleep(SETTLE_S * 1000L);
            List<Cost> plain = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                plain.add(window(List.of(dPids)).get(0));
            }
            store.delete(Kinds.standard().byKind("Stack").orElseThrow(), "rc");
            bed.hosts.forEach(NsDockerd::removeContainers);
            List<Cost> swarmMode = new ArrayList<>();
            String swarmSpread;
            try (SwarmCluster swarm = new SwarmCluster(bed, 0)) {
                for (int k = 1; k <= N; k++) {
                    swarm.create("rs" + k, 1);
                }
                await(Duration.ofSeconds(300), N + " swarm tasks", () -> bed.running(n -> n.startsWith("rs")) == N, 500);
                swarmSpread = bed.spread(n -> n.startsWith("rs"));
                sleep(SETTLE_S * 1000L);
                for (int r = 0; r < runs; r++) {
                    swarmMode.add(window(List.of(dPids)).get(0));
                }
            }
            double plainCpu = new Stats(plain.stream().map(Cost::cpuPerMin).toList()).median();
            double plainRss = new Stats(plain.stream().map(Cost::rssMib).toList()).median();
            rows.add(new Row("rest-cost CPU: at rest, 30 services on 3 hosts: Berth's operators vs the extra of dockerd in swarm mode",
                    new Stats(berthOps.stream().map(Cost::cpuPerMin).toList()),
                    new Stats(swarmMode.stream().map(c -> c.cpuPerMin() - plainCpu).toList()), "Swarm (dockerd in swarm mode − plain)",
                    Double.NaN, " s/min", "3 dockerds: plain " + fmt(plainCpu) + " s/min, in swarm mode "
                    + new Stats(swarmMode.stream().map(Cost::cpuPerMin).toList()).show(" s/min") + ", while Berth's operators ran "
                    + new Stats(dockerdWithBerth.stream().map(Cost::cpuPerMin).toList()).show(" s/min")));
            rows.add(new Row("rest-cost RSS: at rest, 30 services on 3 hosts: Berth's operators vs the extra of dockerd in swarm mode",
                    new Stats(berthOps.stream().map(Cost::rssMib).toList()),
                    new Stats(swarmMode.stream().map(c -> c.rssMib() - plainRss).toList()), "Swarm (dockerd in swarm mode − plain)",
                    Double.NaN, " MiB", "3 dockerds: plain " + fmt(plainRss) + " MiB, in swarm mode "
                    + new Stats(swarmMode.stream().map(Cost::rssMib).toList()).show(" MiB") + "; containers per host: Berth "
                    + spread + ", Swarm " + swarmSpread));
            notes.add("rest-cost: sums over 3 hosts, " + WINDOW_S + " s windows after " + SETTLE_S + " s settling; operators at"
                    + " their default resync (300 s), so a window may or may not hold one; Berth's etcd side is not counted (etcd is"
                    + " shared with other work on this machine): its operators made " + fmt(etcdCalls / (runs * WINDOW_S / 60.0))
                    + " etcd requests per minute; the dockerds ran first with Berth, then alone, then in swarm mode (one process"
                    + " each throughout, so the Go heap's growth over the phases counts against Swarm's RSS)");
        }
    }

    private static double etcdCalls(List<OperatorProcess> ops) throws IOException {
        double c = 0;
        for (OperatorProcess op : ops) {
            c += op.scrape().sum("berth_etcd_requests_total");
        }
        return c;
    }

    /** One window over each group of processes, all groups at once: their summed cost. */
    private static List<Cost> window(List<List<Long>> groups) throws IOException {
        List<double[]> start = new ArrayList<>();
        for (List<Long> g : groups) {
            start.add(sample(g));
        }
        long t0 = System.nanoTime();
        sleep(WINDOW_S * 1000L);
        double minutes = (System.nanoTime() - t0) / 60e9;
        List<Cost> out = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            double[] end = sample(groups.get(i));
            out.add(new Cost((end[0] - start.get(i)[0]) / minutes, end[1] / 1024.0));
        }
        return out;
    }

    private static double[] sample(List<Long> pids) throws IOException {
        double cpu = 0;
        double rss = 0;
        for (long pid : pids) {
            ProcStat s = ProcStat.of(pid);
            cpu += s.cpuSeconds();
            rss += s.rssKb();
        }
        return new double[] {cpu, rss};
    }

    private String stackYaml() {
        StringBuilder y = new StringBuilder("""
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: rc
                spec:
                  services:
                """);
        for (int k = 1; k <= N; k++) {
            y.append("""
                        - name: s%d
                          image: %s
                          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                          init: true
                    """.formatted(k, image));
        }
        return y.append("---\n").toString();
    }
}
