package dev.berth.operator.cli;

import dev.berth.operator.manifests.ManifestFiles;
import dev.berth.operator.manifests.Manifests;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.Resource;
import dev.berth.operator.images.ImagePinStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete objects from etcd, by KIND NAME... or by the objects in -f files.%n"
                + "Operators then remove what they created for them on every host.")
public final class DeleteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(arity = "0..*", paramLabel = "KIND NAME...", description = "A kind (stack, stacks, st) and names.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR|-", description = "Delete the objects these files declare.")
    List<String> files = new ArrayList<>();

    @Option(names = "--force", description = "Delete Networks even while stacks use them.")
    boolean force;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        List<Target> targets = new ArrayList<>();
        if (!files.isEmpty()) {
            if (!args.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give either KIND NAME... or -f, not both");
            }
            Manifests.Loaded loaded = Manifests.load(new ManifestParser(kinds), ManifestFiles.read(files, System.in));
            if (!loaded.report(spec.commandLine().getErr())) {
                return 1;
            }
            for (Resource r : loaded.resources()) {
                targets.add(new Target(r.kind(), r.metadata().name()));
            }
        } else {
            if (args.size() < 2) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "expected KIND NAME... or -f FILE");
            }
            KindDef kind = KindArgument.resolve(kinds, args.get(0), spec.commandLine());
            args.subList(1, args.size()).forEach(name -> targets.add(new Target(kind, name)));
        }
        PrintWriter out = spec.commandLine().getOut();
        int missing = 0;
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            List<String> refused = force ? List.of() : networksInUse(session, kinds, targets);
            if (!refused.isEmpty()) {
                refused.forEach(spec.commandLine().getErr()::println);
                spec.commandLine().getErr().println("nothing was deleted; delete those stacks first, or pass --force"
                        + " (the operators then keep each Network on a host until its containers are gone)");
                spec.commandLine().getErr().flush();
                return 1;
            }
            for (Target target : targets) {
                if (session.store().delete(target.kind(), target.name())) {
                    if (target.kind().kind().equals("Stack")) {
                        // After the stack's key is gone: a stack created again under this name resolves afresh.
                        new ImagePinStore(session.kv(), session.store().keys()).delete(target.name());
                    }
                    out.println(target.kind().singular() + "/" + target.name() + " deleted");
                } else {
                    spec.commandLine().getErr().println(target.kind().singular() + "/" + target.name() + " not found");
                    missing++;
                }
            }
        }
        out.flush();
        spec.commandLine().getErr().flush();
        return missing == 0 ? 0 : 1;
    }

    private record Target(KindDef kind, String name) {
    }

    /** One line per Network to delete that a stack still uses (and is not deleted in the same command). */
    private static List<String> networksInUse(StoreSession session, Kinds kinds, List<Target> targets) {
        List<String> refused = new ArrayList<>();
        java.util.Set<String> deletedStacks = new java.util.HashSet<>();
        targets.stream().filter(t -> t.kind().kind().equals("Stack")).forEach(t -> deletedStacks.add(t.name()));
        List<Target> networks = targets.stream().filter(t -> t.kind().kind().equals("Network")).toList();
        if (networks.isEmpty()) {
            return refused;
        }
        for (dev.berth.operator.store.StoredObject stack : session.store().list(kinds.byKind("Stack").orElseThrow())) {
            if (deletedStacks.contains(stack.name()) || stack.resource().isEmpty()) {
                continue;
            }
            java.util.Set<String> used = dev.berth.reconcilers.stack.PlanBuilder.externalNetworks(
                    stack.resource().get().spec(dev.berth.crds.stack.StackSpec.class));
            for (Target n : networks) {
                if (used.contains(n.name())) {
                    refused.add("network/" + n.name() + " is used by stack/" + stack.name());
                }
            }
        }
        return refused;
    }
}
