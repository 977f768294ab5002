package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.ProbeReport;
import dev.berth.operator.overlay.ProbeReportStore;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check the overlay: for each Network (or only `network NAME`), a matrix host x host of what each"
                + " host's operator found when it last probed its peers through the overlay (a small and a full-size"
                + " ping from its gateway on the Network to theirs, every --probe-interval). Each row is the probing"
                + " host, each column the probed one:",
                "  ok             both probes answered",
                "  unreachable    no answer (UDP port blocked between the hosts, peer down, stale ARP or FDB)",
                "  mtu            small probe answered, full-size not: the path cannot carry the Network's MTU",
                "  no-fdb         the probing host has no FDB entry towards the peer, so it sends nothing there",
                "  lease-expired  the column host has no live host record (its operator stopped or lost etcd)",
                "  no-report      the row host published no probe of that peer (yet)",
                "Below each matrix one line per problem with a hint. Exit code 1 when any cell is not ok, 0 otherwise."})
public final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", arity = "0..1", paramLabel = "network", description = "The word `network`, to check one Network.")
    String kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The Network to check (default: all).")
    String name;

    @Override
    public Integer call() {
        if (kind != null && (!List.of("network", "networks", "net").contains(kind.toLowerCase(java.util.Locale.ROOT)) || name == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "usage: berth doctor [network NAME] (got " + kind + (name == null ? "" : " " + name) + ")");
        }
        Kinds kinds = Kinds.standard();
        KindDef networkKind = kinds.byKind("Network").orElseThrow();
        List<StoredObject> networks;
        Map<String, HostRecord> live;
        List<ProbeReport> reports;
        try (StoreSession session = StoreSession.reading(etcd, kinds)) {
            networks = name == null ? session.store().list(networkKind)
                    : session.store().get(networkKind, name).map(List::of)
                    .orElseThrow(() -> new CliException("network/" + name + " not found"));
            live = ClusterReader.read(session).live();
            reports = new ProbeReportStore(session.kv(), session.store().keys()).all();
        }
        PrintWriter out = spec.commandLine().getOut();
        int problems = 0;
        int checked = 0;
        for (StoredObject network : networks.stream().sorted(Comparator.comparing(StoredObject::name)).toList()) {
            NetworkSpec s = network.resource().map(r -> r.spec(NetworkSpec.class)).orElse(null);
            if (s == null) {
                out.println("network/" + network.name() + ": invalid, not checked (berth describe network " + network.name() + ")");
                continue;
            }
            DoctorMatrix.Outcome outcome = new DoctorMatrix(new DoctorMatrix.NetworkFacts(network.name(), s.vni(), s.port()),
                    live, reports).render();
            out.print(outcome.text());
            out.println();
            problems += outcome.problems();
            checked++;
        }
        out.println(problems == 0 ? "all ok: " + checked + " Network(s) checked"
                : problems + " problem(s) in " + checked + " Network(s) checked");
        out.flush();
        return problems == 0 ? 0 : 1;
    }
}
