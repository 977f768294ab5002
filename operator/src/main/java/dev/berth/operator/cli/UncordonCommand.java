package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "uncordon", mixinStandardHelpOptions = true,
        description = {"Let the scheduler place replicas on a cordoned or drained host again (deletes its cordon).",
                "Nothing moves back by itself: `berth rebalance stack NAME` spreads a stack again."})
public final class UncordonCommand implements Callable<Integer> {
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
            if (!cluster.cordons().containsKey(host)) {
                // A cordon of a host that is gone for good may still be removed, hence this order.
                HostArgument.checkKnown(cluster, host);
                out.println("host/" + host + " was not cordoned");
            } else {
                session.kv().delete(session.store().keys().cordon(host));
                out.println("host/" + host + " uncordoned: the scheduler may place replicas on it again");
            }
        }
        out.flush();
        return 0;
    }
}
