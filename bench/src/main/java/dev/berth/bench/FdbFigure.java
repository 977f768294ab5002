package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.delta;
import static dev.berth.bench.BenchSupport.fmt;
import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.sh0;
import static dev.berth.bench.BenchSupport.sh;
import static dev.berth.bench.BenchSupport.sleep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.Kinds;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** 1,000 simulated peers of a Network in etcd → 1,000 flood entries on bv<vni>, against one bridge -batch. */
final class FdbFigure extends Figure {
    FdbFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        String ns = "bbn" + runId;
        String ul = "10.251.77.1";
        int vni = 7000 + ThreadLocalRandom.current().nextInt(1000);
        Path dockerData = work.resolve("dockerd");
        String sock = "/run/bb-" + runId + ".sock";
        String exec = "/run/bb-" + runId;
        Process dockerd = null;
        String instance = "bb" + runId + "f";
        String host = "bench-" + runId + "-f";
        String prefix = newPrefix("f");
        try {
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            // no dummy module on every kernel: a veth pair whose inner end is the underlay
            sh("ip", "link", "add", "bbv" + runId, "type", "veth", "peer", "name", "ul0", "netns", ns);
            sh("ip", "link", "set", "bbv" + runId, "up");
            sh("ip", "-n", ns, "addr", "add", ul + "/24", "dev", "ul0");
            sh("ip", "-n", ns, "link", "set", "ul0", "up");
            Files.createDirectories(dockerData);
            dockerd = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + ns, "dockerd", "--data-root",
                    dockerData.resolve("data").toString(), "--exec-root", exec, "--host", "unix://" + sock, "--pidfile",
                    exec + ".pid").redirectErrorStream(true).redirectOutput(work.resolve("dockerd-fdb.log").toFile()).start();
            await(Duration.ofSeconds(60), "private dockerd", () -> {
                try (DockerClient c = DockerClients.connect("unix://" + sock)) {
                    c.pingCmd().exec();
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }, 300);
            try (DockerClient mine = DockerClients.connect("unix://" + sock); InputStream tar = client.saveImageCmd(image).exec()) {
                mine.loadImageCmd(tar).exec();
            }
            try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, "unix://" + sock, etcdEndpoints, 300,
                    WORKERS, work.resolve("operator-fdb.log"), "--underlay-interface", "ul0", "--netns", ns)) {
                ResourceStore store = store(prefix);
                // Global: the network's user runs here without a scheduler assignment; the stack only makes this host
                // join the network, and the 1,000 simulated hosts below must not be candidates for anything.
                String yaml = """
                        apiVersion: berth.dev/v1
                        kind: Network
                        metadata:
                          name: fdbnet
                        spec:
                          vni: %d
                          subnet: 10.252.0.0/16
                          hostPrefix: 24
                          mode: flood
                        ---
                        """.formatted(vni) + globalStackYaml("fdbuser", host, "  networks: [fdbnet]\n");
                apply(store, yaml);
                String dev = "bv" + vni;
                await(Duration.ofSeconds(120), "network fdbnet Ready with " + dev, () -> {
                    Ready r = statusReady(prefix, "network", "fdbnet", host);
                    return r == Ready.TRUE && sh0("ip", "-n", ns, "link", "show", dev) == 0;
                }, 200);
                ObjectMapper json = new ObjectMapper();
                KeyLayout keys = new KeyLayout(prefix);
                List<EtcdKv.Write> writes = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    String peer = "peer" + i;
                    HostRecord rec = new HostRecord(peer, Map.of(), "bench", Instant.now().toString(),
                            "10.253." + (i / 250) + "." + (i % 250 + 1), HostRecord.vtepMacFor(peer),
                            List.of(new HostRecord.HostNetwork("fdbnet", vni, 4789)), Instant.now().toString());
                    writes.add(new EtcdKv.Write(keys.host(peer), json.writeValueAsString(rec)));
                }
                List<Double> berth = new ArrayList<>();
                List<Double> writesMs = new ArrayList<>();
                List<Double> afterWrites = new ArrayList<>();
                List<Double> batches = new ArrayList<>();
                for (int r = 0; r <= runs; r++) {
                    Metrics before = op.scrape();
                    // The end is seen by the kernel's own notifications (bridge monitor), not by polling, which
                    // would take CPU from the operator on this 2-core machine.
                    try (FdbWatch watch = FdbWatch.start(ns, dev, 1000)) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < writes.size(); i += 100) {
                            kv.commit(List.of(), writes.subList(i, Math.min(writes.size(), i + 100)));
                        }
                        long tw = System.nanoTime();
                        long t1 = watch.awaitAll(Duration.ofSeconds(120));
                        if (floodEntries(ns, dev) < 1000) {
                            throw new AssertionError("bridge monitor counted 1000 appends but fdb show lists fewer");
                        }
                        if (r > 0) {
                            berth.add(ms(t1 - t0));
                            writesMs.add(ms(tw - t0));
                            afterWrites.add(ms(t1 - tw));
                        }
                    }
                    Metrics after = op.scrape();
                    if (r > 0) {
                        batches.add(after.sum("berth_link_operations_total", "operation=\"append_fdb\"")
                                - before.sum("berth_link_operations_total", "operation=\"append_fdb\""));
                        notes.add("FDB run " + r + ": " + fmt(berth.get(berth.size() - 1)) + " ms; network reconciles "
                                + fmt(after.sum("berth_reconcile_time_seconds_count", "controller=\"network\"")
                                - before.sum("berth_reconcile_time_seconds_count", "controller=\"network\""))
                                + " taking " + fmt(after.sum("berth_reconcile_time_seconds_sum", "controller=\"network\"")
                                - before.sum("berth_reconcile_time_seconds_sum", "controller=\"network\"")) + " s in all; link operations "
                                + delta(before.byLabel("berth_link_operations_total", "operation"),
                                        after.byLabel("berth_link_operations_total", "operation"), k -> true));
                    }
                    kv.deletePrefix(keys.hostsPrefix() + "peer");
                    await(Duration.ofSeconds(120), "FDB entries removed", () -> floodEntries(ns, dev) == 0, 50);
                    sleep(1000);
                }
                // Baseline: a fresh VXLAN device and one bridge -batch of the same 1,000 lines.
                List<Double> raw = new ArrayList<>();
                for (int r = 0; r <= runs + 2; r++) {
                    String rawDev = "bvr" + runId;
                    sh("ip", "-n", ns, "link", "add", rawDev, "type", "vxlan", "id", String.valueOf(vni + 1), "local", ul,
                            "dstport", "4789", "nolearning");
                    StringBuilder batch = new StringBuilder();
                    for (int i = 0; i < 1000; i++) {
                        batch.append("fdb append 00:00:00:00:00:00 dev ").append(rawDev).append(" dst 10.253.")
                                .append(i / 250).append('.').append(i % 250 + 1).append(" self permanent\n");
                    }
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder("bridge", "-n", ns, "-batch", "-").redirectErrorStream(true).start();
                    p.getOutputStream().write(batch.toString().getBytes(StandardCharsets.UTF_8));
                    p.getOutputStream().close();
                    String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) {
                        throw new IOException("bridge -batch failed: " + o);
                    }
                    long t1 = System.nanoTime();
                    if (floodEntries(ns, rawDev) != 1000) {
                        throw new AssertionError("raw batch did not program 1000 entries");
                    }
                    if (r > 0) {
                        raw.add(ms(t1 - t0));
                    }
                    sh("ip", "-n", ns, "link", "del", rawDev);
                }
                rows.add(new Row("FDB: 1,000 peers in etcd → 1,000 flood entries", new Stats(berth), new Stats(raw),
                        "one bridge -batch of 1,000 appends", 1.2, " ms", "of which writing the 1,000 host records to etcd (10 txns): "
                        + new Stats(writesMs).show(" ms") + "; from the last record written to the last entry: "
                        + new Stats(afterWrites).show(" ms") + "; append_fdb operations counted per run: " + new Stats(batches).show("")));
                store.delete(Kinds.standard().byKind("Stack").orElseThrow(), "fdbuser");
                store.delete(Kinds.standard().byKind("Network").orElseThrow(), "fdbnet");
                sleep(5000);
            }
        } finally {
            if (dockerd != null) {
                try (DockerClient mine = DockerClients.connect("unix://" + sock)) {
                    for (Container c : mine.listContainersCmd().withShowAll(true).exec()) {
                        mine.removeContainerCmd(c.getId()).withForce(true).exec();
                    }
                } catch (Exception e) {
                    System.out.println("fdb cleanup: " + e);
                }
                dockerd.destroy();
                if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor();
                }
            }
            sh0("ip", "link", "del", "bbv" + runId);
            sh0("ip", "netns", "delete", ns);
            sh0("rm", "-rf", dockerData.toString(), exec, exec + ".pid", sock);
        }
    }
}
