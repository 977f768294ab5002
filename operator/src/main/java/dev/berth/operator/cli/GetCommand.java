package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"List objects of a kind. Stacks: one row per stack, READY = running/desired containers in the"
                + " cluster; rows of hosts that are not alive count as Unknown.",
                "`berth get stacks NAME -o wide` also lists every replica with its host, state and reason.",
                "-o json and -o yaml print {apiVersion: v1, kind: List, items: [...]} for a listing and the object itself"
                        + " for one NAME, with status as each host reported it (status.<host>).",
                "-w prints the listing, then the object again on every change in etcd (desired object or status)"
                        + " until interrupted; --watch-only skips the listing."},
        footer = {"", "Examples:", "  berth get stacks -l team=web,tier!=db", "  berth get all -o name",
                "  berth get stacks -o jsonpath='{.items[*].metadata.name}'", "  berth get stack web -w"})
public final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = KindArgument.GetKinds.class,
            description = "One of: ${COMPLETION-CANDIDATES}. Singular and short names work too (stack, st, net, rt, gs,"
                    + " cfg). hosts: every host the cluster knows (Ready, Cordoned, Draining, Drained, Unknown (no record,"
                    + " still reached through the overlay) or Down). all: every declared kind, in sections.")
    String kindName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Only this object.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", converter = OutputFormat.Converter.class,
            description = OutputFormat.HELP + ". jsonpath: kubectl's {.path} expressions (Jayway JsonPath; see docs/day2.md).")
    OutputFormat output;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", converter = LabelSelector.Converter.class,
            description = "Only objects whose metadata.labels match: key=value, key==value, key!=value, key (exists),"
                    + " !key (absent), comma-separated; all must hold.")
    LabelSelector selector;

    @Option(names = "--no-headers", description = "No header line in table and wide output.")
    boolean noHeaders;

    @Option(names = {"-w", "--watch"}, description = "After the listing, print each change until interrupted.")
    boolean watch;

    @Option(names = "--watch-only", description = "Print only changes, not the listing first.")
    boolean watchOnly;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LabelSelector labels = selector == null ? LabelSelector.everything() : selector;
        ObjectPrinter printer = new ObjectPrinter(output, !noHeaders, out, err);
        boolean watching = watch || watchOnly;
        if (kindName.equalsIgnoreCase(KindArgument.GetKinds.HOSTS) || kindName.equalsIgnoreCase("host")) {
            refuseWatch(watching, "hosts");
            // Hosts are written by the operators themselves, not declared: their own listing.
            return HostsCommand.print(etcd, new HostsCommand.Output(output, !noHeaders, labels, out, err), name);
        }
        if (kindName.equalsIgnoreCase(KindArgument.GetKinds.ALL)) {
            refuseWatch(watching, "all");
            if (name != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "get all takes no NAME (use get KIND NAME)");
            }
            return all(kinds, labels, printer);
        }
        KindDef kind = KindArgument.resolve(kinds, kindName, spec.commandLine(), KindArgument.GetKinds.list());
        // A listing only reads: over etcd's HTTP gateway, which starts much faster than gRPC (watches need gRPC).
        try (StoreSession session = watching ? new StoreSession(etcd, kinds) : StoreSession.reading(etcd, kinds)) {
            ObjectWatch watcher = new ObjectWatch(session, kind, name, labels, printer);
            long from = watching ? watcher.nextRevision() : 0;
            List<ObjectView> views = load(session, kind, labels);
            if (name != null && views.isEmpty() && !watching) {
                if (session.store().get(kind, name).isPresent()) {
                    noneSelected(err); // it exists, -l does not select it: not an error, as with a list
                    return 0;
                }
                err.println("error: " + kind.singular() + "/" + name + " not found");
                err.flush();
                return 1;
            }
            views.forEach(watcher::seen);
            if (watchOnly) {
                printer.header(kind);
            } else {
                printer.print(kind, views, name != null);
            }
            if (watching) {
                watcher.run(from);
            }
        }
        return 0;
    }

    /** kubectl's note (on stderr, stdout stays empty for scripts) when a NAME exists but -l does not select it. */
    static void noneSelected(PrintWriter err) {
        err.println("No resources found.");
        err.flush();
    }

    private void refuseWatch(boolean watching, String what) {
        if (watching) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-w is not supported for get " + what
                    + " (watch one kind: get stacks -w)");
        }
    }

    private int all(Kinds kinds, LabelSelector labels, ObjectPrinter printer) {
        List<List<ObjectView>> views = new ArrayList<>();
        try (StoreSession session = StoreSession.reading(etcd, kinds)) {
            for (KindDef kind : kinds.all()) {
                views.add(load(session, kind, labels));
            }
        }
        printer.printAll(kinds.all(), views);
        return 0;
    }

    /** The objects of a kind (or only NAME) whose labels match, each with the status its hosts reported. */
    private List<ObjectView> load(StoreSession session, KindDef kind, LabelSelector labels) {
        List<StoredObject> objects = name == null ? session.store().list(kind)
                : session.store().get(kind, name).map(List::of).orElse(List.of());
        List<ObjectView> views = new ArrayList<>();
        if (objects.isEmpty()) {
            return views;
        }
        StatusCodec codec = new StatusCodec();
        Cluster cluster = ClusterReader.read(session);
        for (StoredObject object : objects) {
            ObjectView view = ObjectView.load(session.store(), object, codec, cluster);
            if (labels.matches(view.labels())) {
                views.add(view);
            }
        }
        return views;
    }
}
