package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rebalance", mixinStandardHelpOptions = true,
        description = {"Ask the scheduler to move a stack's replicas back toward an even spread over its eligible hosts"
                + " (after a host joined, was uncordoned or came back). Replicas move one at a time, start-first, each"
                + " healthy on its new host before the old container goes; the request is removed once the stack is even.",
                "Follow it with `berth get stacks NAME -o wide`."})
public final class RebalanceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "stack", description = "The word stack.")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME", description = "The stack.")
    String name;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        KindDef stackKind = kinds.byKind("Stack").orElseThrow();
        if (kinds.lookup(kind).filter(stackKind::equals).isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "only stacks can be rebalanced, not \"" + kind + "\" (usage: berth rebalance stack NAME)");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            Optional<StoredObject> stack = session.store().get(stackKind, name);
            if (stack.isEmpty()) {
                throw new CliException("stack/" + name + " not found");
            }
            boolean allGlobal = stack.get().resource().map(r -> r.spec(StackSpec.class))
                    .map(s -> !s.services().isEmpty() && s.services().stream()
                            .allMatch(v -> v.effectivePlacement(s.placement()).global()))
                    .orElse(false);
            if (allGlobal) {
                out.println("note: stack/" + name + " is global (every eligible host runs it): there is nothing to rebalance");
            }
            session.kv().put(session.store().keys().rebalance(name),
                    ClusterReader.write(Map.of("requested", Instant.now().toString())));
        }
        out.println("stack/" + name + " rebalance requested: the scheduler moves replicas one at a time, each running"
                + " (healthy, if checked) on its new host before the old one is removed");
        out.println("follow with: berth get stacks " + name + " -o wide");
        out.flush();
        return 0;
    }
}
