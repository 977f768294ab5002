package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.schedule.CordonRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Cordon a host and have the scheduler move its replicas to other hosts, one at a time (start-first:"
                + " the old container stays until the new one runs, and is healthy if checked), then wait until the"
                + " scheduler places nothing on it. Exit 1 if replicas are left when --timeout ends (the drain goes on).",
                "failover: false replicas (host-local data) do not move: they are reported, and the drain ends without them.",
                "Undo with `berth uncordon host NAME`."})
public final class DrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Mixin
    HostArgument target;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationArgument.class,
            description = "How long to wait for the host to be empty, e.g. 90s, 5m (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--no-wait", description = "Start the drain and return; follow it with `berth get hosts`.")
    boolean noWait;

    @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "1s", converter = DurationArgument.class, hidden = true,
            description = "How often to read the assignments while waiting.")
    Duration poll;

    @Override
    public Integer call() throws InterruptedException {
        target.checkKind(spec.commandLine());
        String host = target.host;
        PrintWriter out = spec.commandLine().getOut();
        Kinds kinds = Kinds.standard();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            Cluster cluster = ClusterReader.read(session);
            HostArgument.checkKnown(cluster, host);
            CordonRecord before = cluster.cordons().get(host);
            if (before == null || !before.drain()) {
                session.kv().put(session.store().keys().cordon(host),
                        ClusterReader.write(new CordonRecord(host, true, Instant.now().toString())));
                out.println("host/" + host + " draining: no new replicas, its replicas move elsewhere one at a time");
            } else {
                out.println("host/" + host + " already draining (since " + before.since() + ")");
            }
            out.flush();
            if (noWait) {
                out.println("follow with: berth get hosts (" + host + " shows Drained when nothing is placed on it)");
                out.flush();
                return 0;
            }
            return await(session, kinds.byKind("Stack").orElseThrow(), out);
        }
    }

    /** Re-reads the assignments until none names the host or the timeout ends; prints a line whenever what is left changes. */
    private int await(StoreSession session, KindDef stackKind, PrintWriter out) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<String> shown = null;
        while (true) {
            List<String> left = ClusterReader.read(session).replicasOn(target.host);
            if (left.isEmpty()) {
                out.println(target.host + ": drained, the scheduler places nothing on it");
                out.flush();
                return 0;
            }
            List<String> described = describe(session, stackKind, left);
            if (described.stream().allMatch(d -> d.endsWith(PINNED))) {
                // The scheduler never moves these (their data is on this host): waiting for them would never end.
                out.println(target.host + ": drained except " + count(left) + " that stay: " + String.join(", ", described));
                out.flush();
                return 0;
            }
            if (!described.equals(shown)) {
                out.println(target.host + ": " + count(left) + " left: " + String.join(", ", described));
                out.flush();
                shown = described;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new CliException(target.host + ": not drained after " + timeout.toString().substring(2).toLowerCase()
                        + ", " + count(left) + " left: " + String.join(", ", described)
                        + " (the host stays draining; `berth uncordon host " + target.host + "` stops it)");
            }
            Thread.sleep(Math.max(10, Math.min(poll.toMillis(), Duration.between(Instant.now(), deadline).toMillis())));
        }
    }

    private static final String PINNED = " (failover: false, stays: host-local data)";

    private static String count(List<String> left) {
        return left.size() == 1 ? "1 replica" : left.size() + " replicas";
    }

    /** "web/httpd-2", with " (failover: false, stays)" for services the scheduler does not move off their host. */
    private static List<String> describe(StoreSession session, KindDef stackKind, List<String> left) {
        List<String> described = new ArrayList<>();
        Map<String, Optional<StackSpec>> specs = new HashMap<>();
        for (String replica : left) {
            String stack = replica.substring(0, replica.indexOf('/'));
            String service = replica.substring(replica.indexOf('/') + 1, replica.lastIndexOf('-'));
            boolean pinned = specs.computeIfAbsent(stack, name -> session.store().get(stackKind, name)
                            .flatMap(o -> o.resource()).map(r -> r.spec(StackSpec.class)))
                    .map(spec -> spec.services().stream().anyMatch(s -> s.name().equals(service) && !s.failover()))
                    .orElse(false);
            described.add(replica + (pinned ? PINNED : ""));
        }
        return described;
    }
}
