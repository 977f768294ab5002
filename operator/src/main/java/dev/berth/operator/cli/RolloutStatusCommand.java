package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, exitCodeOnExecutionException = 2,
        description = {"Wait for the rollout of a stack's current revision (like kubectl rollout status): until every"
                + " host that should run it reports that revision Ready. A host still Ready on an older revision does"
                + " not count.",
                "Exit 0 when rolled out; 1 when it failed (RolloutFailed, ImageNotFound, ...), was deleted or timed out;"
                        + " 2 on bad usage or when etcd cannot be read (or its settings are wrong)."},
        footer = {"", "Example:", "  berth rollout status stack web --timeout 10m"})
public final class RolloutStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Mixin
    WaitOptions waiting;

    @Parameters(paramLabel = "KIND NAME | KIND/NAME", arity = "1..2", description = "stack NAME, or stack/NAME")
    List<String> objects;

    @Override
    public Integer call() {
        List<String> stacks = StackArguments.parse(objects, Kinds.standard(), spec.commandLine(), "rolled out");
        if (stacks.size() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "one stack at a time");
        }
        return StackWaits.run(stacks, etcd, waiting, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
