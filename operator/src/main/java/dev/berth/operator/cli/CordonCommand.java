package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.operator.schedule.CordonRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "cordon", mixinStandardHelpOptions = true,
        description = {"Take a host out of scheduling: the scheduler places no new replicas on it; those it runs stay.",
                "Stored in etcd (<prefix>/v1/cordons/HOST), so it outlives operators. Undo with `berth uncordon host NAME`;"
                        + " `berth drain host NAME` also moves its replicas away. Cordoning a draining host stops the drain."})
public final class CordonCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Mixin
    HostArgument target;

    @Override
    public Integer call() {
        target.checkKind(spec.commandLine());
        String host = target.host;
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = new StoreSession(etcd, Kinds.standard())) {
            Cluster cluster = ClusterReader.read(session);
            HostArgument.checkKnown(cluster, host);
            CordonRecord before = cluster.cordons().get(host);
            if (before != null && !before.drain()) {
                out.println("host/" + host + " already cordoned (since " + before.since() + ")");
            } else {
                session.kv().put(session.store().keys().cordon(host),
                        ClusterReader.write(new CordonRecord(host, false, Instant.now().toString())));
                out.println("host/" + host + " cordoned" + (before != null ? " (its drain stopped: replicas not yet moved stay)" : "")
                        + ": no new replicas are placed on it");
            }
        }
        out.flush();
        return 0;
    }
}
