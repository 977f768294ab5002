package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "wait", mixinStandardHelpOptions = true, exitCodeOnExecutionException = 2,
        description = {"Wait until stacks are Ready (like kubectl wait): every host that should run a stack reports its"
                + " current revision Ready and nothing in progress. Follows etcd's watch, so it answers as soon as the"
                + " hosts report.",
                "Exit 0 when Ready; 1 when a host reports it Degraded for the current revision (ImageNotFound, PortInUse,"
                        + " RolloutFailed, ...), when it is deleted, or at the timeout, with the reason; 2 on bad usage"
                        + " or when etcd cannot be read (or its settings are wrong)."},
        footer = {"", "Examples:", "  berth wait stack web --for condition=Ready --timeout 2m",
                "  berth wait stack/web stack/db --for condition=Ready"})
public final class WaitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Mixin
    WaitOptions waiting;

    @Parameters(paramLabel = "KIND NAME | KIND/NAME", arity = "1..*", description = "stack NAME..., or stack/NAME...")
    List<String> objects;

    @Option(names = "--for", required = true, paramLabel = "condition=Ready",
            description = "What to wait for: condition=Ready (the only condition waited for).")
    String condition;

    @Override
    public Integer call() {
        String wanted = condition.strip().toLowerCase(Locale.ROOT);
        if (!wanted.equals("condition=ready") && !wanted.equals("condition=ready=true")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--for: only condition=Ready can be waited for"
                    + " (got \"" + condition + "\")");
        }
        List<String> stacks = StackArguments.parse(objects, Kinds.standard(), spec.commandLine(), "waited for");
        return StackWaits.run(stacks, etcd, waiting, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
