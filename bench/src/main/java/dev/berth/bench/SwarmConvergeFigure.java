package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.ms;

import dev.berth.crds.Kinds;
import dev.berth.operator.store.ResourceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Convergence, Berth and Swarm on the same three-host bed (issue 21): 30 one-replica services, and one service of
 * 30 replicas, from the command to the 30th container start seen in the hosts' Docker events. Berth: one apply of a
 * stack with those services (the store's apply, as `berth apply` does after its JVM start); Swarm: the service
 * create calls `docker service create --detach --no-resolve-image` makes, one after another, to its one manager, with
 * no network (the command: the tasks go on each host's default bridge, where Docker serves no names) and
 * again with `--network` on a Swarm overlay (names served by Docker's embedded DNS, the work Berth's stack network
 * does). The runs alternate Berth, Swarm, Swarm on the overlay; the first of each is a warm-up and not counted.
 */
final class SwarmConvergeFigure extends Figure {
    static final int N = 30;

    SwarmConvergeFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        try (HostBed bed = new HostBed(bench, "c").start(3)) {
            String prefix = newPrefix("c");
            ResourceStore store = store(prefix);
            List<OperatorProcess> ops = new ArrayList<>();
            for (int i = 0; i < bed.hosts.size(); i++) {
                ops.add(bed.operator(i, prefix, 30));
            }
            try (SwarmCluster swarm = new SwarmCluster(bed, 0)) {
                String overlay = "swn" + bench.runId;
                swarm.overlay(overlay, "10." + (bed.octet - 49) + ".0.0/24");
                for (boolean replicas : new boolean[] {false, true}) {
                    List<Double> berth = new ArrayList<>();
                    List<Double> sw = new ArrayList<>();
                    List<Double> swNet = new ArrayList<>();
                    String berthSpread = "";
                    String[] swarmSpread = {""};
                    String[] overlaySpread = {""};
                    for (int r = 0; r <= runs; r++) {
                        String stack = (replicas ? "cr" : "cs") + r;
                        Predicate<String> mineB = n -> n.startsWith(stack + "-");
                        double b = timed(bed, mineB, () -> apply(store, stackYaml(stack, replicas)));
                        berthSpread = bed.spread(mineB);
                        store.delete(Kinds.standard().byKind("Stack").orElseThrow(), stack);
                        await(Duration.ofSeconds(180), stack + " removed", () -> bed.running(mineB) == 0, 300);

                        double s = swarmRun(bed, swarm, (replicas ? "wr" : "ws") + r, replicas, null, swarmSpread);
                        double sn = swarmRun(bed, swarm, (replicas ? "wq" : "wn") + r, replicas, overlay, overlaySpread);
                        if (r > 0) {
                            berth.add(b);
                            sw.add(s);
                            swNet.add(sn);
                        }
                        System.out.printf("swarm-converge %s run %d: Berth %.0f ms (%s), Swarm %.0f ms (%s),"
                                + " Swarm on an overlay %.0f ms (%s)%n", replicas ? "1×30" : "30×1", r, b, berthSpread, s,
                                swarmSpread[0], sn, overlaySpread[0]);
                    }
                    String what = replicas ? "one service of 30 replicas over 3 hosts, command → all running"
                            : "30 one-replica services over 3 hosts, command → all running";
                    Row row = new Row("swarm-converge " + (replicas ? "1×30" : "30×1") + ": " + what,
                            new Stats(berth), new Stats(sw), "Swarm", 1.0, " ms",
                            "containers per host: Berth " + berthSpread + ", Swarm " + swarmSpread[0]
                                    + "; Swarm's tasks without a network are on each host's default bridge (no names)");
                    rows.add(row);
                    rows.add(new Row("swarm-converge " + (replicas ? "1×30" : "30×1") + ", Swarm's tasks on an overlay network"
                            + " (their names served, as Berth's are): " + what,
                            new Stats(berth), new Stats(swNet), "Swarm + overlay", Double.NaN, " ms",
                            "the same Berth runs (reported: the issue's goal is on the row above); Swarm: docker service"
                                    + " create --network " + overlay + "; containers per host " + overlaySpread[0]));
                    if (!row.met()) {
                        profiled(bed, store, ops, replicas);
                    }
                }
            }
        }
        notes.add("swarm-converge: Berth's operators and Swarm (one manager, two workers) run side by side on the same dockerds;"
                + " Berth's side is one stack holding the services (one apply), Swarm's the 30 create calls (or one with"
                + " --replicas 30); each side's services are removed and gone before the other's run");
    }

    /**
     * One Swarm side: the services {@code svc…} created (on {@code network}, or none), timed to the 30th start, then
     * removed and gone. {@code spread} gets the containers per host.
     */
    private double swarmRun(HostBed bed, SwarmCluster swarm, String svc, boolean replicas, String network,
                            String[] spread) throws InterruptedException {
        Predicate<String> mine = replicas ? n -> n.startsWith(svc + ".") : n -> n.startsWith(svc + "s");
        double ms = timed(bed, mine, () -> {
            if (replicas) {
                swarm.create(svc, N, network);
            } else {
                for (int k = 1; k <= N; k++) {
                    swarm.create(svc + "s" + k, 1, network);
                }
            }
        });
        spread[0] = bed.spread(mine);
        if (replicas) {
            swarm.remove(svc);
        } else {
            for (int k = 1; k <= N; k++) {
                swarm.remove(svc + "s" + k);
            }
        }
        await(Duration.ofSeconds(180), svc + " removed", () -> bed.running(mine) == 0, 300);
        return ms;
    }

    /**
     * A missed goal: one more Berth run, not counted, with JFR on each operator and their metrics before and after
     * (where the time went: Docker calls, etcd, reconciles, queue waits).
     */
    private void profiled(HostBed bed, ResourceStore store, List<OperatorProcess> ops, boolean replicas) throws Exception {
        String stack = replicas ? "crp" : "csp";
        Predicate<String> mine = n -> n.startsWith(stack + "-");
        List<Metrics> before = new ArrayList<>();
        List<JfrProfile> jfr = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            before.add(ops.get(i).scrape());
            jfr.add(JfrProfile.start(ops.get(i).pid(), work.resolve("converge-" + stack + "-" + i + ".jfr")));
        }
        double ms = timed(bed, mine, () -> apply(store, stackYaml(stack, replicas)));
        for (int i = 0; i < ops.size(); i++) {
            notes.add("swarm-converge " + (replicas ? "1×30" : "30×1") + ", profiled Berth run (" + BenchSupport.fmt(ms)
                    + " ms, not counted), host " + i + ": " + BenchSupport.profile(before.get(i), ops.get(i).scrape())
                    + "; JFR: " + jfr.get(i).stop());
        }
        store.delete(Kinds.standard().byKind("Stack").orElseThrow(), stack);
        await(Duration.ofSeconds(180), stack + " removed", () -> bed.running(mine) == 0, 300);
    }

    /** ms from {@code command} to the Nth start of a container passing {@code which} on the bed. */
    private double timed(HostBed bed, Predicate<String> which, Runnable command) throws InterruptedException {
        try (HostStarts starts = new HostStarts(bed.hosts, which)) {
            long t0 = BenchSupport.epochNanos();
            command.run();
            return ms(starts.await(N, Duration.ofSeconds(300)) - t0);
        }
    }

    private String stackYaml(String stack, boolean replicas) {
        StringBuilder y = new StringBuilder("""
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: %s
                spec:
                  services:
                """.formatted(stack));
        for (int k = 1; k <= (replicas ? 1 : N); k++) {
            y.append("""
                        - name: %s
                          image: %s
                          replicas: %d
                          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                          init: true
                    """.formatted(replicas ? "web" : "s" + k, image, replicas ? N : 1));
        }
        return y.append("---\n").toString();
    }
}
