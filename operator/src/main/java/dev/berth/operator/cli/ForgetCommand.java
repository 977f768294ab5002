package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "forget", mixinStandardHelpOptions = true,
        description = {"Remove a host that is gone for good from the cluster's book (its member record and cordon), so"
                + " `berth get hosts` no longer lists it Down and the scheduler places its replicas elsewhere, including"
                + " failover: false ones (their host-local data stays behind). Refused while the host is alive.",
                "A forgotten host whose operator starts again simply joins again."})
public final class ForgetCommand implements Callable<Integer> {
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
            if (cluster.live().containsKey(host)) {
                throw new CliException("host/" + host + " is alive (its operator holds its record): stop its operator"
                        + " first, or drain it with `berth drain host " + host + "`");
            }
            List<String> pinned = cluster.replicasOn(host);
            session.kv().delete(session.store().keys().member(host));
            session.kv().delete(session.store().keys().cordon(host));
            out.println("host/" + host + " forgotten" + (pinned.isEmpty() ? ""
                    : ": the scheduler places its " + pinned.size() + " replica(s) elsewhere: " + String.join(", ", pinned)));
        }
        out.flush();
        return 0;
    }
}
